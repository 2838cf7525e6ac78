# Sourced by up.sh and test.sh: starts DynamoDB Local and moto on loopback and exports
# what the SDK and the local stack need to find them. Stopped when the shell exits.
# Ports: DYNAMODB_PORT (default 8000), MOTO_PORT (default 5000: SQS, Secrets Manager)
# and MOTO_SES_PORT (default MOTO_PORT + 1: SES alone).
#
# SES has a moto of its own because sent mail is read through /moto-api/data.json, which
# serialises moto's whole state — with SQS beside it, every message of every queue, on
# every read of the console's mail printer and the tests' mail helpers.

: "${DYNAMODB_PORT:=8000}"
: "${MOTO_PORT:=5000}"
: "${MOTO_SES_PORT:=$((MOTO_PORT + 1))}"
local_dir="$root/.local"
mkdir -p "$local_dir/logs"

export AWS_REGION="${AWS_REGION:-us-east-1}"
export AWS_DEFAULT_REGION="$AWS_REGION"
export AWS_ACCESS_KEY_ID=local
export AWS_SECRET_ACCESS_KEY=local
export AWS_ENDPOINT_URL="http://127.0.0.1:$MOTO_PORT"
export AWS_ENDPOINT_URL_DYNAMODB="http://127.0.0.1:$DYNAMODB_PORT"
export AWS_ENDPOINT_URL_SES="http://127.0.0.1:$MOTO_SES_PORT"
# The payment webhook's signing secrets (comma-separated while rotating): the local
# stack puts them in the template's PaymentWebhookSecret, in moto's Secrets Manager,
# where the webhook reads them as in AWS; payment-simulator signs with the first.
export LOCAL_PAYMENT_WEBHOOK_SECRETS="${LOCAL_PAYMENT_WEBHOOK_SECRETS:-whsec_local_development_secret}"
export LOCAL_SECRET_PaymentWebhookSecret="{\"secrets\": \"$LOCAL_PAYMENT_WEBHOOK_SECRETS\"}"
# The shop's API key for the payment provider (the simulator the local stack starts):
# in the template's PaymentProviderSecret, where create-payment and request-refunds read
# it at cold start.
export LOCAL_PAYMENT_PROVIDER_API_KEY="${LOCAL_PAYMENT_PROVIDER_API_KEY:-pk_local_development_key}"
export LOCAL_SECRET_PaymentProviderSecret="{\"api_key\": \"$LOCAL_PAYMENT_PROVIDER_API_KEY\"}"

emulator_pids=()
stop_emulators() {
  for pid in "${emulator_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop_emulators EXIT
trap 'exit 130' INT TERM

wait_for_port() { # name url
  for _ in $(seq 1 150); do
    if curl -s -o /dev/null "$2"; then return 0; fi
    sleep 0.2
  done
  echo "$1 did not start on $2; see $local_dir/logs/" >&2
  return 1
}

# DynamoDB Local's JVM compiles with C1 only (DYNAMODB_JAVA_OPTS, set empty for the JVM's
# default): C2's compiling costs more CPU than it saves until some 13,000 requests in.
# Measured 2026-12-02 on 2 cores: the goods, orders and accounts tests took DynamoDB
# Local 8.7 and 11.1 s of CPU (30 and 33 s) against 22.4 and 20.8 s (42 and 35 s) with
# C2; a transaction of ten windows and their BatchGetItem 2.0 ms of CPU an event cold and
# ~1.0 warm, against 4.5 cold and ~0.7 after 13,000 events. bench.sh keeps C2: it measures
# after the catalogue's load (or 10,000 behaviour events), on a warm JVM.
# shellcheck disable=SC2086
(cd "$local_dir" && exec java ${DYNAMODB_JAVA_OPTS--XX:TieredStopAtLevel=1} -Djava.library.path="$local_dir/dynamodb/DynamoDBLocal_lib" \
  -jar "$local_dir/dynamodb/DynamoDBLocal.jar" -inMemory -sharedDb -port "$DYNAMODB_PORT" \
  >"$local_dir/logs/dynamodb-$DYNAMODB_PORT.log" 2>&1) &
emulator_pids+=($!)
# infra/moto/server.py is moto_server with SQS calls that don't slow as a queue deepens.
"$local_dir/venv/bin/python" "$root/infra/moto/server.py" -H 127.0.0.1 -p "$MOTO_PORT" \
  >"$local_dir/logs/moto-$MOTO_PORT.log" 2>&1 &
emulator_pids+=($!)
# The fault-injection tests (tests/faults.rs) pause and resume it by this pid.
export LOCAL_MOTO_PID=$!
"$local_dir/venv/bin/moto_server" -H 127.0.0.1 -p "$MOTO_SES_PORT" \
  >"$local_dir/logs/moto-ses-$MOTO_SES_PORT.log" 2>&1 &
emulator_pids+=($!)
wait_for_port "DynamoDB Local" "$AWS_ENDPOINT_URL_DYNAMODB"
wait_for_port "moto" "$AWS_ENDPOINT_URL/moto-api/data.json"
wait_for_port "moto (SES)" "$AWS_ENDPOINT_URL_SES/moto-api/data.json"
