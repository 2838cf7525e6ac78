#!/usr/bin/env bash
# Builds the deployable artifacts: every function for Lambda's provided.al2023 runtime,
# with cargo-lambda (and the zig linker it brings from PyPI), in the release profile,
# rustls only (no OpenSSL anywhere in the tree), as one bootstrap zip per function:
#   target/lambda/arm64/<function>/bootstrap.zip   (the template's architecture)
#   target/lambda/x86_64/<function>/bootstrap.zip
# then checks the template with `sam validate --lint` and, with --sam-build, runs
# `sam build` (no Docker: the template's rust-cargolambda build method).
# Usage: bash infra/release.sh [--arch arm64|x86_64|both] [--sam-build]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
arch=both sam_build=0
while [ $# -gt 0 ]; do
  case "$1" in
    --arch) arch="$2"; shift 2 ;;
    --sam-build) sam_build=1; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
bash infra/install.sh
venv="$root/.local/venv"
"$venv/bin/pip" install -q "cargo-lambda==1.9.2" "aws-sam-cli==1.170.0"
export PATH="$venv/bin:$PATH" SAM_CLI_TELEMETRY=0

if cargo tree --workspace -e normal -i openssl-sys >/dev/null 2>&1; then
  echo "openssl-sys is in the dependency tree; the functions must use rustls only" >&2
  exit 1
fi

packages=$(for d in functions/*/; do printf -- '-p %s ' "$(basename "$d")"; done)
build() { # arch flag target
  rustup target add "$3" >/dev/null
  # shellcheck disable=SC2086
  cargo lambda build --release --locked "$2" --output-format zip \
    --lambda-dir "target/lambda/$1" $packages
}
case "$arch" in
  arm64) build arm64 --arm64 aarch64-unknown-linux-gnu ;;
  x86_64) build x86_64 --x86-64 x86_64-unknown-linux-gnu ;;
  both)
    build arm64 --arm64 aarch64-unknown-linux-gnu
    build x86_64 --x86-64 x86_64-unknown-linux-gnu ;;
  *) echo "--arch: arm64, x86_64 or both" >&2; exit 2 ;;
esac

echo "| function | arch | zip | bootstrap |"
echo "|---|---|---:|---:|"
for zip in target/lambda/*/*/bootstrap.zip; do
  function=$(basename "$(dirname "$zip")")
  a=$(basename "$(dirname "$(dirname "$zip")")")
  unpacked=$(unzip -l "$zip" | awk 'END {print $1}')
  printf '| %s | %s | %.2f MiB | %.2f MiB |\n' "$function" "$a" \
    "$(echo "$(stat -c %s "$zip") / 1048576" | bc -l)" "$(echo "$unpacked / 1048576" | bc -l)"
done

sam validate --lint --template template.yaml
if [ "$sam_build" = 1 ]; then
  sam build --beta-features --template template.yaml
fi
