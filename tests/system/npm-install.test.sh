#!/usr/bin/env bash
# The npm path: pack @flyte-agent/flyteidl, @flyte-agent/core and one plugin (the template) as npm
# tarballs, install them with npm into an empty project outside the workspace, run
# `npx flyte-agent serve`, and check that ListAgents reports exactly that plugin's agents, and
# that ES module and CommonJS importers get the same plugin from the installed tarballs.
# SIGTERM must stop the server with exit code 0.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PLUGIN=@flyte-agent/template
WORK=$(mktemp -d /tmp/flyte-agent-npm-install.XXXXXX)
SERVER_PID=""
cleanup() {
  # npx runs the server in its own process group (setsid): stop the whole group.
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -KILL -- "-$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
fail() {
  echo "npm-install: FAIL: $*" >&2
  [ -f "$WORK/serve.log" ] && sed 's/^/  serve: /' "$WORK/serve.log" >&2
  exit 1
}

echo "npm-install: building and packing flyteidl, core and $PLUGIN"
(cd "$ROOT" && pnpm exec turbo run build --filter="$PLUGIN" --output-logs=errors-only >/dev/null)
mkdir -p "$WORK/tarballs" "$WORK/project"
for pkg in @flyte-agent/flyteidl @flyte-agent/core "$PLUGIN"; do
  (cd "$ROOT" && pnpm --filter "$pkg" pack --pack-destination "$WORK/tarballs" >/dev/null 2>&1) || fail "pnpm pack $pkg"
done

cd "$WORK/project"
npm init -y >/dev/null
echo "npm-install: npm install $(cd "$WORK/tarballs" && echo *.tgz)"
npm install --no-audit --no-fund --loglevel=error "$WORK"/tarballs/*.tgz >/dev/null || fail "npm install"
case "$(pwd -P)" in "$ROOT"*) fail "the project must be outside the workspace" ;; esac

# A ListAgents client made of the installed packages only: grpc-js and the generated flyteidl services.
cp "$ROOT/tests/system/lib/list-agents.js" list-agents.js  # resolves packages from the project it is copied into
# What the plugin itself declares, read straight from its default export (not through discovery).
expected=$(node -e '
  const plugin = require(process.argv[1]).default;
  const lines = plugin.agents.map((a) => `${a.name}|${a.category.name}@${a.category.version}|${a.kind}`);
  console.log(lines.sort().join("\n"));' "$PLUGIN")
[ -n "$expected" ] || fail "$PLUGIN declares no agents"

# Both kinds of importer get the plugin from the installed tarballs: an ES module's default import
# and CommonJS's require().default are the same plugin object (one copy of the package), and
# core's named exports are the same functions either way.
node --input-type=module -e '
  import { createRequire } from "node:module";
  import plugin from "'"$PLUGIN"'";
  import { definePlugin, isAgentPlugin } from "@flyte-agent/core";
  const require = createRequire(`${process.cwd()}/`);
  const problems = [];
  if (!isAgentPlugin(plugin) || plugin.agents.length === 0) problems.push("import plugin from the package: not a plugin");
  if (require("'"$PLUGIN"'").default !== plugin) problems.push("require(...).default is not the imported plugin");
  if (require("@flyte-agent/core").definePlugin !== definePlugin) problems.push("core: import and require give different functions");
  if (problems.length) { console.error(problems.join("\n")); process.exit(1); }
' || fail "ES module and CommonJS importers of $PLUGIN"
echo "npm-install: import and require of $PLUGIN give the same plugin"

PORT=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
setsid npx --no-install flyte-agent serve --port "$PORT" --host 127.0.0.1 --prometheus-port -1 >"$WORK/serve.log" 2>&1 &
SERVER_PID=$!

# Poll ListAgents until the server answers (or give up after 30 s).
actual=""
for _ in $(seq 1 150); do
  kill -0 "$SERVER_PID" 2>/dev/null || fail "the server exited before answering"
  if actual=$(node list-agents.js "$PORT" 2>/dev/null); then break; fi
  actual=""
  sleep 0.2
done
[ -n "$actual" ] || fail "ListAgents never answered on port $PORT"
echo "npm-install: ListAgents:"
printf '%s\n' "$actual" | sed 's/^/  /'
[ "$actual" = "$expected" ] || fail "ListAgents does not match the installed plugin; expected:
$expected"

# npx does not forward signals: send SIGTERM to the server process itself (as the kubelet would);
# npx then exits with the server's exit code.
node_pid=$(ps -eo pid=,pgid=,args= | awk -v g="$SERVER_PID" '$2 == g && /node_modules\/.bin\/flyte-agent serve/ { print $1 }')
[ -n "$node_pid" ] || fail "cannot find the server process under npx"
kill -TERM "$node_pid"
code=0
wait "$SERVER_PID" || code=$?
SERVER_PID=""
[ "$code" -eq 0 ] || fail "serve exited with $code after SIGTERM"
echo "npm-install: PASS (exactly $PLUGIN's agents served from an npm install; SIGTERM -> exit 0)"
