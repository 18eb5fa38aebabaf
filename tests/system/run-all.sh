#!/usr/bin/env bash
# Runs every system test (tests/system/*.test.sh) in order, or the scripts given as arguments:
# tests that need packed tarballs, directories outside the workspace, or a container image.
# A test script exits 0 when it passed, 77 when it cannot run here (it prints "SKIPPED: <reason>"
# first; for example no container runtime), anything else when it failed. The closing line is
# "system: N passed, M failed, K skipped"; the exit code is non-zero only when a test failed.
set -euo pipefail
SKIP_CODE=77
if [ "$#" -eq 0 ]; then
  cd "$(dirname "$0")"
  set -- ./*.test.sh
fi
passed=0
failed=0
skipped=0
for t in "$@"; do
  [ -e "$t" ] || continue
  echo "=== system test: $t"
  code=0
  bash "$t" || code=$?
  case "$code" in
    0) passed=$((passed + 1)) ;;
    "$SKIP_CODE") skipped=$((skipped + 1)); echo "SKIPPED: $t" ;;
    *) failed=$((failed + 1)); echo "FAILED: $t (exit code $code)" ;;
  esac
done
echo "system: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
