#!/usr/bin/env bash
# Runs functions as cargo-lambda runs them on a laptop: `cargo lambda watch` (its own
# Lambda emulator, which builds and starts each function on its first invocation) with
# the emulators' endpoints and the template's variables, then `cargo lambda invoke
# <function> --data-file events/<function>/valid.json` for a handful of functions,
# checking the status each answers. The emulators run on ports of their own.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
bash infra/install.sh --lambda
export PATH="$root/.local/venv/bin:$PATH"

export DYNAMODB_PORT="${DYNAMODB_PORT:-8400}" MOTO_PORT="${MOTO_PORT:-5400}"
invoke_port="${LAMBDA_INVOKE_PORT:-9400}"
source infra/emulators.sh

# The template's resources, and one environment for every function (what `cargo lambda
# watch --env-file` takes), written by the local stack from the template.
# `--bin`, not `-p`: features resolved for the local stack's package alone differ from the
# workspace's (axum, reqwest...), and half the graph would be built again.
cargo build --quiet --locked --bin local-stack
env_file="$local_dir/lambda.env"
LOCAL_PROVISION_ONLY=1 LOCAL_LAMBDA_ENV_FILE="$env_file" target/debug/local-stack >/dev/null

cargo lambda watch --quiet --invoke-port "$invoke_port" --env-file "$env_file" \
  >"$local_dir/logs/cargo-lambda-watch.log" 2>&1 &
emulator_pids+=($!)
wait_for_port "cargo lambda watch" "http://127.0.0.1:$invoke_port/"

failed=0
check() { # function expected-status
  local answer status
  answer=$(cargo lambda invoke "$1" --invoke-port "$invoke_port" \
    --data-file "events/$1/valid.json" --output-format json 2>&1) || true
  status=$(printf '%s' "$answer" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("statusCode"))' 2>/dev/null || echo "no answer")
  if [ "$status" = "$2" ]; then
    echo "ok   $1: $status"
  else
    echo "FAIL $1: expected $2, got $status: $answer" >&2
    failed=1
  fi
}
# The first answers on an empty shop: no goods yet, no such session, a new account.
check list-goods 200
check search 200
check get-goods 404
check me 401
check register 201
check register 409
[ "$failed" = 0 ] || { echo "see $local_dir/logs/cargo-lambda-watch.log" >&2; exit 1; }
echo "cargo lambda invoke: every answer as expected"
