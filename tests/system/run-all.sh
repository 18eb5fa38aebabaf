#!/usr/bin/env bash
# Runs every system test (tests/system/*.test.sh) in order: tests that need packed tarballs,
# directories outside the workspace, or a container image. Each script exits non-zero on failure.
set -euo pipefail
cd "$(dirname "$0")"
passed=0
failed=0
for t in ./*.test.sh; do
  [ -e "$t" ] || continue
  echo "=== system test: $t"
  if bash "$t"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED: $t"; fi
done
echo "system: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
