#!/usr/bin/env bash
# Runs the whole API locally on http://127.0.0.1:3000 (LOCAL_API_ADDR to change it):
# installs the emulators, builds every function, starts DynamoDB Local and moto,
# creates what template.yaml declares and serves its routes. Ctrl-C stops everything.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
bash infra/install.sh
cargo build --bins
source infra/emulators.sh
"$root/target/debug/local-stack"
