#!/usr/bin/env bash
# The bundle for a chosen subset of plugins: pack the workspace, install @flyte-agent/bundle
# and the plugins that `flyte-agent-bundle install-specs` picks for PLUGINS="template databricks"
# into a directory outside the workspace, run `flyte-agent-bundle serve`, and check that exactly
# those plugins' agents are registered (bigquery, packed but not chosen, must be absent).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CHOSEN="template databricks"
WORK=$(mktemp -d /tmp/flyte-agent-bundle.XXXXXX)
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then kill -KILL "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
fail() {
  echo "bundle: FAIL: $*" >&2
  [ -f "$WORK/serve.log" ] && sed 's/^/  serve: /' "$WORK/serve.log" >&2
  exit 1
}

echo "bundle: building and packing the workspace packages"
(cd "$ROOT" && pnpm exec turbo run build --filter=@flyte-agent/bundle --output-logs=errors-only >/dev/null)
mkdir -p "$WORK/tarballs" "$WORK/app"
for pkg in flyteidl core bundle bigquery databricks openai sagemaker sensor snowflake template webhook; do
  (cd "$ROOT" && pnpm --filter "@flyte-agent/$pkg" pack --pack-destination "$WORK/tarballs" >/dev/null 2>&1) || fail "pnpm pack $pkg"
done

cd "$WORK/app"
case "$(pwd -P)" in "$ROOT"*) fail "the app must be outside the workspace" ;; esac
npm init -y >/dev/null
T="$WORK/tarballs"
npm install --no-audit --no-fund --loglevel=error "$T"/flyte-agent-flyteidl-*.tgz "$T"/flyte-agent-core-*.tgz "$T"/flyte-agent-bundle-*.tgz >/dev/null ||
  fail "npm install of the bundle"
# Unknown names are refused before anything is installed.
if err=$(npx --no-install flyte-agent-bundle install-specs "$T" template redshift 2>&1); then fail "install-specs accepted 'redshift'"; fi
echo "$err" | grep -q '"redshift" is not a bundled plugin' || fail "unclear install-specs error: $err"
# shellcheck disable=SC2046 # one npm argument per line
mapfile -t specs < <(npx --no-install flyte-agent-bundle install-specs "$T" $CHOSEN)
echo "bundle: PLUGINS=\"$CHOSEN\" -> npm install ${specs[*]##*/}"
npm install --no-audit --no-fund --loglevel=error "${specs[@]}" >/dev/null || fail "npm install of the chosen plugins"
[ ! -e node_modules/@flyte-agent/bigquery ] || fail "bigquery was installed although not chosen"

# Expected: the chosen plugins' agents, read from their default exports (not through discovery).
expected=$(node -e '
  const lines = [];
  for (const name of process.argv.slice(1)) {
    for (const a of require(name).default.agents) lines.push(`${a.name}|${a.category.name}@${a.category.version}|${a.kind}`);
  }
  console.log(lines.sort().join("\n"));' @flyte-agent/template @flyte-agent/databricks)

listed=$(npx --no-install flyte-agent-bundle list --json) || fail "flyte-agent-bundle list failed"
packages=$(echo "$listed" | node -e 'let s="";process.stdin.on("data",c=>s+=c).on("end",()=>console.log(JSON.parse(s).plugins.map(p=>p.package+":"+p.ok).sort().join(" ")))')
[ "$packages" = "@flyte-agent/databricks:true @flyte-agent/template:true" ] || fail "list shows: $packages"

cp "$ROOT/tests/system/lib/list-agents.js" list-agents.js  # resolves packages from the project it is copied into
PORT=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
node node_modules/@flyte-agent/bundle/bin/flyte-agent-bundle.js serve --port "$PORT" --host 127.0.0.1 --prometheus-port -1 >"$WORK/serve.log" 2>&1 &
SERVER_PID=$!
actual=""
for _ in $(seq 1 150); do
  kill -0 "$SERVER_PID" 2>/dev/null || fail "the server exited before answering"
  if actual=$(node list-agents.js "$PORT" 2>/dev/null); then break; fi
  actual=""
  sleep 0.2
done
[ -n "$actual" ] || fail "ListAgents never answered on port $PORT"
echo "bundle: ListAgents:"
printf '%s\n' "$actual" | sed 's/^/  /'
[ "$actual" = "$expected" ] || fail "ListAgents does not match the chosen plugins; expected:
$expected"

kill -TERM "$SERVER_PID"
code=0
wait "$SERVER_PID" || code=$?
SERVER_PID=""
[ "$code" -eq 0 ] || fail "serve exited with $code after SIGTERM"
echo "bundle: PASS (PLUGINS=\"$CHOSEN\" served exactly those agents from outside the workspace)"
