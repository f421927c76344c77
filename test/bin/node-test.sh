#!/usr/bin/env bash
# Runs Node's test runner on every *.test.ts below the given folders (Node 20 has no glob of its own).
set -euo pipefail
cd "$(dirname "$0")/../.."
files=()
for dir in "$@"; do
  while IFS= read -r f; do files+=("$f"); done < <(find "$dir" -name '*.test.ts' | sort)
done
if [ ${#files[@]} -eq 0 ]; then echo "no test files under: $*" >&2; exit 1; fi
# shellcheck disable=SC2086 # NODE_TEST_ARGS holds several flags: split on purpose
exec node --import tsx --test ${NODE_TEST_ARGS:-} "${files[@]}"
