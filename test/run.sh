#!/usr/bin/env bash
# The whole test suite: set-up, type check, lint, format, dependency and build checks, then every unit
# and integration test in one run of Node's test runner (files one at a time: the integration suites
# start real Kafka brokers), then the checks over what the whole suite left (test/after-suite/).
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)
bash test/setup.sh
echo "setup took $(( $(date +%s) - started )) s"

echo "typecheck: tsc --noEmit"
npx --no-install tsc --noEmit -p .

# Style and hygiene fail the run like a failing test: lint (ESLint, type-checked rules), format
# (Prettier), dependencies as the code imports them, and the compiled build the package ships.
echo "lint: eslint"
npm run --silent lint
echo "format: prettier --check"
npm run --silent format:check
echo "dependencies: imports vs package.json"
npm run --silent check:deps
echo "build: tsc -p tsconfig.build.json"
npm run --silent build

# Every gateway process's log is kept for the scan that runs after everything else
# (test/after-suite/: no test secret may appear in any of them).
export GATEHOUSE_SUITE_LOGS="$PWD/.cache/suite-logs"
rm -rf "$GATEHOUSE_SUITE_LOGS"
mapfile -t files < <(find test/unit test/integration -name '*.test.ts' | sort)
node --import tsx --test --test-concurrency=1 --test-timeout=600000 "${files[@]}"
node --import tsx --test test/after-suite/*.test.ts
