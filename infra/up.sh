#!/usr/bin/env bash
# Runs the whole API locally on http://127.0.0.1:3000 (LOCAL_API_ADDR to change it):
# installs the emulators, builds every function, starts DynamoDB Local and moto,
# creates what template.yaml declares and serves its routes. Ctrl-C stops everything.
#   --demo     also load the demo catalogue (~3,600 products of the UCI Online Retail
#              data set, as the goods of the merchant demo_shop) once the API is up;
#              its progress shows in the console, a line every 2 s.
#   --verbose  every line of every function on the console (LOCAL_LOG=all), not one
#              line per request and batch.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
demo=0
for arg in "$@"; do
  case "$arg" in
    --demo) demo=1 ;;
    --verbose) export LOCAL_LOG=all ;;
    *) echo "unknown option $arg (known: --demo, --verbose)" >&2; exit 2 ;;
  esac
done
# The install (downloads, mostly) runs while cargo builds: a first start waits for the
# longer of the two, not for both.
(bash infra/install.sh 2>&1 | sed -u 's/^/[install] /') &
install=$!
cargo build --bins
wait "$install" || { echo "infra/install.sh failed (above)" >&2; exit 1; }
source infra/emulators.sh
export LOCAL_API_ADDR="${LOCAL_API_ADDR:-127.0.0.1:3000}"
# Scheduled functions every 30 s instead of their template rates, so that what a developer
# clicks shows in recommendations (fit-similarity: every 10 minutes in AWS) within that.
export LOCAL_SCHEDULE_SECONDS="${LOCAL_SCHEDULE_SECONDS:-30}"
# The functions' environment, for the demo loader's --direct import.
export LOCAL_LAMBDA_ENV_FILE="$local_dir/lambda.env"
"$root/target/debug/local-stack" &
emulator_pids+=($!)
stack=$!
wait_for_port "local stack" "http://$LOCAL_API_ADDR/"
if [ "$demo" = 1 ]; then
  "$root/target/debug/demo-catalogue" --api "http://$LOCAL_API_ADDR" --direct "$LOCAL_LAMBDA_ENV_FILE" --progress-lines || echo "demo catalogue failed" >&2
fi
wait "$stack"
