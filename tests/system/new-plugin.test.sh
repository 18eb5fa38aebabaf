#!/usr/bin/env bash
# `flyte-agent new demo` and `flyte-agent new demo-esm --esm` in a scratch copy of the workspace:
# each generated package builds, passes its own tests (the README's test command; the ES module
# one runs them as ES modules) and its package check (dual: attw node16 and import/require of
# the tarball; ES module: attw esm-only), the ES module one builds to ES modules, and
# `flyte-agent list` and `serve` load both.
# Exits non-zero on the first failure.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
SCRATCH="$(mktemp -d)"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$SCRATCH"
}
trap cleanup EXIT
step() { printf '\n--- %s (%ss)\n' "$1" "$SECONDS"; }

step "copy the workspace (tracked and new files, no node_modules/dist) to $SCRATCH"
(cd "$ROOT" && git ls-files -z --cached --others --exclude-standard | xargs -0 -I{} sh -c '[ -e "{}" ] && printf "%s\0" "{}"' \
  | tar --null -T - -cf -) | tar -x -C "$SCRATCH"
cd "$SCRATCH"
[ ! -e packages/demo ] || { echo "packages/demo already exists in the workspace"; exit 1; }

step "install (offline first) and build what the CLI needs"
pnpm install --prefer-offline --reporter=silent
pnpm --filter @flyte-agent/flyteidl generate >/dev/null
pnpm --filter @flyte-agent/flyteidl --filter @flyte-agent/core --filter @flyte-agent/testing build >/dev/null

step "flyte-agent new demo"
pnpm exec flyte-agent new demo | tee new.log
grep -q "Next steps" new.log
[ -f packages/demo/src/agent.ts ] && [ -f packages/demo/test/conformance.test.ts ] && [ -f packages/demo/README.md ]
[ ! -e packages/demo/node_modules ] && [ ! -e packages/demo/dist ]
grep -q '"name": "@flyte-agent/demo"' packages/demo/package.json
grep -q 'readonly category = { name: "demo_task", version: 0 }' packages/demo/src/agent.ts
grep -q 'class DemoAsyncAgent' packages/demo/src/agent.ts
if grep -rn 'CustomAsyncAgent\|custom_task\|customTaskTemplate\|@flyte-agent/template' packages/demo; then
  echo "template names left in packages/demo"; exit 1
fi
if pnpm exec flyte-agent new demo 2>/dev/null; then echo "a second 'new demo' must fail"; exit 1; fi

step "flyte-agent new demo-esm --esm"
pnpm exec flyte-agent new demo-esm --esm >/dev/null
grep -q '"type": "module"' packages/demo-esm/package.json
grep -q 'useESM: true' packages/demo-esm/jest.config.js
if grep -rn '__dirname\|require(' packages/demo-esm/src packages/demo-esm/test; then
  echo "CommonJS left in packages/demo-esm"; exit 1
fi
grep -q 'import.meta.url' packages/demo-esm/src/version.ts

step "the README's test command: pnpm turbo run test --filter=@flyte-agent/demo (and demo-esm)"
pnpm install --prefer-offline --no-frozen-lockfile --reporter=silent  # the new package changes the lockfile (CI=true implies frozen)
grep -q 'pnpm turbo run test --filter=@flyte-agent/demo' packages/demo/README.md
grep -q 'pnpm turbo run test --filter=@flyte-agent/demo-esm' packages/demo-esm/README.md
pnpm turbo run test --filter=@flyte-agent/demo --filter=@flyte-agent/demo-esm --output-logs=errors-only

step "the package checks: demo is a dual package (attw node16), demo-esm ES modules only (attw esm-only)"
grep -q '"import"' packages/demo/package.json
pnpm turbo run check:package --filter=@flyte-agent/demo --filter=@flyte-agent/demo-esm --output-logs=errors-only

step "demo-esm is built as ES modules and loads as one"
grep -q '^export default definePlugin' packages/demo-esm/dist/index.js
if grep -rln 'require(\|exports\.' packages/demo-esm/dist --include=*.js; then echo "CommonJS in demo-esm/dist"; exit 1; fi
grep -q '^exports.default\|exports\.default = ' packages/demo/dist/index.js  # the CommonJS one stays CommonJS
node --input-type=module -e '
  const m = await import("@flyte-agent/demo-esm");
  const names = m.default.agents.map((a) => a.name).join(", ");
  if (m.PLUGIN_NAME !== "@flyte-agent/demo-esm" || m.PLUGIN_VERSION !== "0.1.0" || names !== "Demo Esm Agent, Demo Esm Sync Agent") {
    console.error("demo-esm as imported:", m.PLUGIN_NAME, m.PLUGIN_VERSION, names); process.exit(1);
  }
'
pnpm exec flyte-agent list --include @flyte-agent/demo-esm --strict | tee list.log
grep -q 'demo_esm_task@0 .*@flyte-agent/demo-esm@0.1.0' list.log
grep -q 'demo_esm_sync_task@0 .*@flyte-agent/demo-esm@0.1.0' list.log

step "flyte-agent serve lists the new agents of both"
pnpm exec flyte-agent serve --port 0 --host 127.0.0.1 --prometheus-port -1 --strict --include @flyte-agent/demo @flyte-agent/demo-esm > serve.log 2>&1 &
SERVER_PID=$!
PORT=""
for _ in $(seq 1 150); do
  PORT="$(grep -o '"port":[0-9]*' serve.log | head -1 | cut -d: -f2 || true)"
  [ -n "$PORT" ] && break
  kill -0 "$SERVER_PID" 2>/dev/null || { cat serve.log; echo "serve exited"; exit 1; }
  sleep 0.2
done
[ -n "$PORT" ] || { cat serve.log; echo "serve did not report its port"; exit 1; }
node -e '
  const { PropellerClient } = require("./packages/testing/dist/index.js");
  const client = new PropellerClient("127.0.0.1:" + process.argv[1]);
  client.listAgents().then((agents) => {
    client.close();
    const show = agents.map((a) => `${a.name} sync=${a.isSync} ${a.supportedTaskCategories.map((c) => c.name + "@" + c.version)}`);
    console.log("ListAgents:", show.join("; "));
    const has = (name, cat, sync) => agents.some((a) => a.name === name && a.isSync === sync && a.supportedTaskCategories.some((c) => c.name === cat && c.version === 0));
    if (agents.length !== 4) process.exit(1);
    if (!has("Demo Agent", "demo_task", false) || !has("Demo Sync Agent", "demo_sync_task", true)) process.exit(1);
    if (!has("Demo Esm Agent", "demo_esm_task", false) || !has("Demo Esm Sync Agent", "demo_esm_sync_task", true)) process.exit(1);
  }, (err) => { console.error(err.message); process.exit(1); });
' "$PORT"

step "passed"
