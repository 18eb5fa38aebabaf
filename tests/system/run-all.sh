#!/usr/bin/env bash
# Runs every system test (tests/system/*.test.sh) in order, or the scripts given as arguments:
# tests that need packed tarballs, directories outside the workspace, or a container image.
# A test script exits 0 when it passed, 77 when it cannot run here (it prints "SKIPPED: <reason>"
# first; for example no container runtime), anything else when it failed. The closing line is
# "system: N passed, M failed, K skipped"; the exit code is non-zero only when a test failed.
set -euo pipefail
SKIP_CODE=77
# The system tests run on the repository's Node (node@24, a root devDependency), also when this
# script is started from a shell whose own node is older: its bin directory goes first on PATH, as
# `pnpm run test:system` does. scripts/check-node.mjs fails on a Node older than 24.
REPO_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
export PATH="$REPO_ROOT/node_modules/.bin:$PATH"
node "$REPO_ROOT/scripts/check-node.mjs" system
# npm and npx export their whole configuration to child processes as lower-case npm_config_*
# variables (the user config file, the registry, ...). They would override what each test sets
# for the npm and pnpm it runs (NPM_CONFIG_USERCONFIG pointing at a test registry's token, for
# one), so the tests start from a plain environment, as they do when run from a shell.
while IFS= read -r name; do unset "$name"; done < <(compgen -e | grep '^npm_config_' || true)
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
