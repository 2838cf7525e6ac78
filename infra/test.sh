#!/usr/bin/env bash
# Runs every test: unit and handler tests, cfn-lint on the template, and the end-to-end
# tests over HTTP against a local stack of its own (ports apart from up.sh's, so both
# can run at once). Installs what it needs first.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
# The install (downloads, mostly) runs while cargo checks and builds.
(bash infra/install.sh --browser --lambda 2>&1 | sed -u 's/^/[install] /') &
install=$!

echo "== fmt, clippy ($(date +%T))"
cargo fmt --all -- --check
cargo clippy --all-targets --locked -- -D warnings

echo "== build ($(date +%T))"
# The binaries, then the test harnesses: the libraries' unit tests and the integration
# tests. main.rs files hold no tests and doc examples are `text`, so their harnesses
# (a link of the whole SDK each) are not built. Tests never change a dependency's
# features (shop-testing is a crate of its own), so the binaries here are the ones
# up.sh and cargo lambda build.
cargo build --bins --locked
cargo test --no-run --locked --lib --test '*'
wait "$install" || { echo "infra/install.sh failed (above)" >&2; exit 1; }

echo "== cfn-lint ($(date +%T))"
.local/venv/bin/cfn-lint template.yaml

export DYNAMODB_PORT="${DYNAMODB_PORT:-8100}" MOTO_PORT="${MOTO_PORT:-5100}"
source infra/emulators.sh
export LOCAL_API_ADDR="${LOCAL_API_ADDR:-127.0.0.1:3100}"
export LOCAL_MAX_CONCURRENCY="${LOCAL_MAX_CONCURRENCY:-25}"
export SHOP_API_URL="http://$LOCAL_API_ADDR"
# The payment simulator the local stack starts (the provider's checkout and refunds API).
export LOCAL_PROVIDER_ADDR="${LOCAL_PROVIDER_ADDR:-127.0.0.1:3180}"
export SHOP_PROVIDER_URL="http://$LOCAL_PROVIDER_ADDR"
# Resending activation is limited to once a minute; the tests wait 5 seconds instead
# (long enough that a busy machine can't make "within the interval" flaky).
export LOCAL_ENV_ACTIVATION_RESEND_INTERVAL_SECS=5
# Reset emails likewise: at most one per account every 5 seconds here (60 in AWS).
export LOCAL_ENV_RESET_EMAIL_INTERVAL_SECS=5
# A warm webhook re-reads its secrets after a mismatch once they are 1 s old (5 min in
# AWS), so the rotation test needs no restart.
export LOCAL_ENV_WEBHOOK_SECRETS_REFRESH_SECS=1
# Every function logs what each AWS call needs from IAM; policy-audit holds those calls
# against the template's policies once the tests and the fuzzing have run.
export LOCAL_ENV_SHOP_AUDIT_AWS_CALLS=1
# The expiry job runs every minute in AWS; every 2 seconds here.
export LOCAL_SCHEDULE_SECONDS=2
# Failed messages come back after 2 seconds instead of 60, so they reach the
# dead-letter queue (5 receives) within the tests' patience.
export LOCAL_VISIBILITY_TIMEOUT_SECONDS=2
export SHOP_STACK_LOG="$local_dir/logs/local-stack-test.log"
# The functions' environment, for the demo loader's --direct import (tests/catalogue.rs).
export LOCAL_LAMBDA_ENV_FILE="$local_dir/lambda-test.env"
# Every function's every line in that log: the policy audit and tests/secrets.rs read it.
export LOCAL_LOG=all
"$root/target/debug/local-stack" >"$SHOP_STACK_LOG" 2>&1 &
emulator_pids+=($!)
wait_for_port "local stack" "$SHOP_API_URL/"

echo "== tests ($(date +%T))"
# --no-fail-fast: every test binary runs, so the count below is the whole suite's; the
# statuses are kept and decide the exit code at the end.
set +e
cargo test --locked --no-fail-fast --lib --test '*' -- --test-threads 8 2>&1 | tee "$local_dir/logs/cargo-test.log"
tests_status=${PIPESTATUS[0]}

echo "== schema-driven fuzzing (bounded, deterministic) ($(date +%T))"
bash infra/fuzz.sh 2>&1 | tee "$local_dir/logs/schemathesis.log"
fuzz_status=${PIPESTATUS[0]}

echo "== policy audit (every AWS call of the run against its function's policy) ($(date +%T))"
target/debug/policy-audit "$SHOP_STACK_LOG"
audit_status=$?

echo "== cargo lambda watch and invoke (infra/lambda-check.sh, emulators of its own) ($(date +%T))"
bash infra/lambda-check.sh
lambda_status=$?
set -e

count() { grep -E '^test result:' "$local_dir/logs/cargo-test.log" | awk -v col="$1" '{n += $col} END {print n + 0}'; }
passed=$(count 4) failed=$(count 6) ignored=$(count 8)
echo "cargo test exited $tests_status; schemathesis exited $fuzz_status (full log: $local_dir/logs/schemathesis.log); policy audit exited $audit_status; cargo lambda check exited $lambda_status"
echo "tests: $passed passed, $failed failed, $ignored skipped ($(date +%T))"
[ "$tests_status" -eq 0 ] && [ "$fuzz_status" -eq 0 ] && [ "$audit_status" -eq 0 ] && [ "$lambda_status" -eq 0 ]
