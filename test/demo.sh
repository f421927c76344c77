#!/usr/bin/env bash
# The demo, from a fresh machine: set-up, then a real backend with clients (see test/demo.ts).
set -euo pipefail
cd "$(dirname "$0")/.."
bash test/setup.sh >&2
exec node --import tsx test/demo.ts "$@"
