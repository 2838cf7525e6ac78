#!/usr/bin/env bash
# Installs the local AWS emulators and tools, pinned, into .local/ (git-ignored).
# Idempotent: a second run only checks what is there.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dest="$root/.local"
mkdir -p "$dest"
# Besides the emulators: --browser (the page tests' Chromium), --lambda (cargo-lambda).
browser=0 lambda=0
for arg in "$@"; do
  case "$arg" in
    --browser) browser=1 ;;
    --lambda) lambda=1 ;;
    *) echo "usage: $0 [--browser] [--lambda]" >&2; exit 2 ;;
  esac
done

DYNAMODB_SIMULATOR="amplify-dynamodb-simulator@2.9.30"
# infra/moto/server.py replaces some of this version's internals (it checks them): check it on a new pin.
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

# The API reference page (`GET /docs` on the local stack): Swagger UI's prebuilt assets.
SWAGGER_UI="swagger-ui-dist@5.35.0"
if [ ! -f "$dest/swagger-ui/.version" ] || [ "$(cat "$dest/swagger-ui/.version")" != "$SWAGGER_UI" ]; then
  echo "installing $SWAGGER_UI" >&2
  tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack --silent "$SWAGGER_UI" >/dev/null && tar xzf ./*.tgz)
  rm -rf "$dest/swagger-ui"
  mkdir -p "$dest/swagger-ui"
  cp "$tmp/package/swagger-ui.css" "$tmp/package/swagger-ui-bundle.js" "$tmp/package/favicon-32x32.png" \
    "$tmp/package/LICENSE" "$dest/swagger-ui/"
  echo "$SWAGGER_UI" > "$dest/swagger-ui/.version"
  rm -rf "$tmp"
fi

# The browser tests (`--browser`, as test.sh asks): Debian's Chromium, driven by
# playwright-core (which never downloads a browser of its own).
PLAYWRIGHT="playwright-core@1.65.1"
if [ "$browser" = 1 ]; then
  if ! command -v chromium >/dev/null; then
    echo "installing Debian's chromium" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
  if [ ! -f "$dest/browser/.version" ] || [ "$(cat "$dest/browser/.version")" != "$PLAYWRIGHT" ]; then
    echo "installing $PLAYWRIGHT" >&2
    rm -rf "$dest/browser"
    mkdir -p "$dest/browser"
    npm install --silent --no-audit --no-fund --prefix "$dest/browser" "$PLAYWRIGHT" >/dev/null
    echo "$PLAYWRIGHT" > "$dest/browser/.version"
  fi
fi

# cargo-lambda (`--lambda`, as infra/lambda-check.sh asks): `cargo lambda watch` and
# `invoke` against the emulators, and `cargo lambda build` for infra/release.sh.
CARGO_LAMBDA="cargo-lambda==1.9.2"
if [ "$lambda" = 1 ] && ! "$dest/venv/bin/cargo-lambda" lambda --version 2>/dev/null | grep -q "1.9.2"; then
  echo "installing $CARGO_LAMBDA" >&2
  "$dest/venv/bin/pip" install --quiet --disable-pip-version-check "$CARGO_LAMBDA"
fi
