#!/usr/bin/env bash
# Schema-driven fuzzing of the API with schemathesis, from openapi.json: every operation,
# signed in as a customer and then as a merchant, checking for server errors, answers
# that don't match the documented schema, status codes and content types the document
# doesn't list, and response headers.
#
#   bash infra/fuzz.sh           bounded and deterministic (10 examples an operation);
#                                part of infra/test.sh
#   bash infra/fuzz.sh --long    200 examples an operation, random, for a longer hunt
#
# Against SHOP_API_URL when set (test.sh's stack); otherwise it starts a stack of its own.
# POST /auth/logout is left out: it would revoke the session the run signs in with
# (tests/accounts.rs and tests/authorization.rs cover it).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
examples=10 mode=(--generation-deterministic)
if [ "${1:-}" = "--long" ]; then examples=200 mode=(); fi
if [ -z "${SHOP_API_URL:-}" ]; then
  bash infra/install.sh
  cargo build --bins
  export DYNAMODB_PORT="${DYNAMODB_PORT:-8400}" MOTO_PORT="${MOTO_PORT:-5400}"
  source infra/emulators.sh
  export LOCAL_API_ADDR="${LOCAL_API_ADDR:-127.0.0.1:3400}" SHOP_API_URL="http://${LOCAL_API_ADDR:-127.0.0.1:3400}"
  "$root/target/debug/local-stack" >"$local_dir/logs/local-stack-fuzz.log" 2>&1 &
  emulator_pids+=($!)
  wait_for_port "local stack" "$SHOP_API_URL/"
fi
status=0
for role in customer merchant; do
  token=$(.local/venv/bin/python infra/fuzz_setup.py "$SHOP_API_URL" "$AWS_ENDPOINT_URL" "$role")
  echo "== schemathesis as a $role ($examples examples an operation)"
  .local/venv/bin/schemathesis run openapi.json --url "$SHOP_API_URL" \
    -H "Authorization: Bearer $token" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance \
    --max-examples "$examples" "${mode[@]}" --generation-with-security-parameters false \
    --workers 1 --exclude-operation-id logout --no-color 2>&1 | tail -n 25 || status=1
done
exit $status
