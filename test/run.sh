#!/usr/bin/env bash
# The whole test suite: set-up, type check, then every unit and integration test in one run of
# Node's test runner (files one at a time: the integration suites start real Kafka brokers).
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)
bash test/setup.sh
echo "setup took $(( $(date +%s) - started )) s"

echo "typecheck: tsc --noEmit"
npx --no-install tsc --noEmit -p .

mapfile -t files < <(find test/unit test/integration -name '*.test.ts' | sort)
node --import tsx --test --test-concurrency=1 --test-timeout=600000 "${files[@]}"
