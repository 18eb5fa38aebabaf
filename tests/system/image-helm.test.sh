#!/usr/bin/env bash
# The image as Flyte's Helm chart runs it: build docker/Dockerfile with the default PLUGINS, export
# its filesystem, and run each command the chart hard-codes (`c0`, `pyflyte serve agent`,
# `pyflyte serve connector`) in a chroot with the image's environment and user, found on the
# image's PATH: each must report SERVING on the gRPC health service (the chart's readinessProbe)
# and answer ListAgents with the default plugins' agents, then stop with exit code 0 on SIGTERM.
# Inside the image, the Databricks access token is read from /etc/secrets under flytekit's name
# (the chart mounts connectorSecret there): a fake workspace on loopback accepts only that token.
# Under a short load, the server's resident memory is read from /proc (VmRSS idle, VmHWM peak)
# and compared with the chart's limit (300Mi). `--modules` must be refused in one line.
# When ports 8000 and 9090 are free, `c0` also runs with no port setting at all (the chart's).
# (`podman run` does not work in this environment; a chroot into the exported filesystem does.)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# The Dockerfile's default PLUGINS (the image operators get when they build without -p).
PLUGINS=$(sed -n 's/^ARG PLUGINS="\(.*\)"$/\1/p' "$ROOT/docker/Dockerfile" | head -1)
ID=$$
BASE=localhost/flyte-agent-node-base:helm-$ID
IMAGE=localhost/flyte-agent:helm-$ID
WORK=$(mktemp -d /tmp/flyte-agent-image-helm.XXXXXX)
ROOTFS="$WORK/rootfs"
TOKEN="dapi-image-secret-$ID"
CHART_LIMIT_MIB=300
SERVER_PID=""
FAKE_PID=""
CONTAINER=""
PROC_MOUNTED=""
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then kill -KILL "$SERVER_PID" 2>/dev/null || true; fi
  if [ -n "$FAKE_PID" ] && kill -0 "$FAKE_PID" 2>/dev/null; then kill -TERM "$FAKE_PID" 2>/dev/null || true; fi
  [ -n "$PROC_MOUNTED" ] && umount "$ROOTFS/proc" 2>/dev/null || true
  [ -n "$CONTAINER" ] && podman rm -f "$CONTAINER" >/dev/null 2>&1 || true
  podman rmi -f "$IMAGE" "$BASE" >/dev/null 2>&1 || true
  podman image prune -f >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
skip() {
  echo "image-helm: SKIPPED: $*" >&2
  echo "image-helm: SKIPPED: the image was NOT tested" >&2
  exit 77
}
fail() {
  echo "image-helm: FAIL: $*" >&2
  [ -f "$WORK/serve.log" ] && sed 's/^/  serve: /' "$WORK/serve.log" >&2
  exit 1
}

# shellcheck source=lib/podman.sh
source "$(dirname "$0")/lib/podman.sh"
# shellcheck source=lib/serve-check.sh
source "$(dirname "$0")/lib/serve-check.sh"
why=$(ensure_podman) || skip "$why"
[ "$(id -u)" -eq 0 ] || skip "chroot needs root"
trap cleanup EXIT

(cd "$ROOT" && pnpm exec turbo run build --filter=@flyte-agent/monitoring... --filter=@flyte-agent/bundle... --output-logs=errors-only >/dev/null)
echo "image-helm: making a base image (docker/local-base-image.sh) and building with PLUGINS=\"$PLUGINS\""
"$ROOT/docker/local-base-image.sh" "$BASE" >/dev/null
"$ROOT/docker/build.sh" -b "$BASE" -p "$PLUGINS" -t "$IMAGE" >"$WORK/build.log" 2>&1 || {
  tail -40 "$WORK/build.log" >&2
  fail "docker/build.sh failed"
}
podman image inspect "$IMAGE" --format '{{json .Config}}' >"$WORK/config.json"
podman image inspect "$IMAGE" --format '{{json .HealthCheck}}' >"$WORK/health.json"
CONTAINER=$(podman create "$IMAGE" 2>/dev/null)
mkdir -p "$ROOTFS"
podman export "$CONTAINER" | tar -x -C "$ROOTFS"
podman rm "$CONTAINER" >/dev/null 2>&1
CONTAINER=""
mkdir -p "$ROOTFS/proc"
mount -t proc proc "$ROOTFS/proc" 2>/dev/null && PROC_MOUNTED=1 || echo "image-helm: (no /proc in the chroot)"

USERSPEC=$(node -p 'JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).User' "$WORK/config.json")
mapfile -t IMAGE_ENV < <(node -e 'for (const e of JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).Env) console.log(e)' "$WORK/config.json")
mapfile -t HEALTH_CMD < <(node -e 'for (const a of JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).Test.slice(1)) console.log(a)' "$WORK/health.json")
free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
port_free() { node -e 'const s=require("net").createServer().once("error",()=>process.exit(1)).listen(Number(process.argv[1]),"0.0.0.0",()=>s.close())' "$1"; }
node - "$WORK/config.json" <<'JS' || fail "the image's environment does not give the chart's ports"
const env = Object.fromEntries(JSON.parse(require("fs").readFileSync(process.argv[2], "utf8")).Env.map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]));
if (env.FLYTE_AGENT_PORT !== "8000" || env.FLYTE_AGENT_PROMETHEUS_PORT !== "9090") process.exit(1);
if (!env.PATH.split(":").includes("/opt/flyte-agent/bin")) process.exit(1);
JS

# The chart's Secret, mounted at /etc/secrets (key = file name, flytekit's name in lower case).
mkdir -p "$ROOTFS/etc/secrets"
printf '%s\n' "$TOKEN" >"$ROOTFS/etc/secrets/flyte_databricks_access_token"
cp "$ROOT/tests/system/lib/list-agents.js" "$ROOTFS/opt/flyte-agent/.list-agents.js"
node "$ROOT/packages/monitoring/dist/systest/fake-databricks.js" "$TOKEN" >"$WORK/fake.url" 2>"$WORK/fake.log" &
FAKE_PID=$!
for _ in $(seq 1 50); do [ -s "$WORK/fake.url" ] && break; sleep 0.1; done
FAKE_URL=$(head -1 "$WORK/fake.url")
[ -n "$FAKE_URL" ] || fail "the fake Databricks workspace did not start"

packages=()
for p in $PLUGINS; do packages+=("@flyte-agent/$p"); done
expected=$(cd "$ROOT/packages/bundle" && expected_agents "${packages[@]}")
[ -n "$expected" ] || fail "could not read the expected agents"

# Runs a command in the image: its environment (plus the given VAR=value words), user and working dir.
exec_in_image() {
  local extra=()
  while [ $# -gt 0 ] && [[ "$1" == *=* ]]; do extra+=("$1"); shift; done
  exec chroot --userspec="$USERSPEC" "$ROOTFS" /usr/bin/env -i "${IMAGE_ENV[@]}" FLYTE_DATABRICKS_INSTANCE="$FAKE_URL" "${extra[@]}" \
    /bin/sh -c 'cd /opt/flyte-agent && exec "$@"' sh "$@"
}
in_image() { (exec_in_image "$@"); }

# serve_chart_command PORT METRICS COMMAND...: starts it, waits for SERVING, checks ListAgents.
serve_chart_command() {
  local port=$1 metrics=$2 status="" listed=""
  shift 2
  if [ "$port" = 8000 ]; then
    exec_in_image "$@" >"$WORK/serve.log" 2>&1 &
  else
    exec_in_image FLYTE_AGENT_PORT="$port" FLYTE_AGENT_PROMETHEUS_PORT="$metrics" "$@" >"$WORK/serve.log" 2>&1 &
  fi
  SERVER_PID=$!
  for _ in $(seq 1 150); do
    kill -0 "$SERVER_PID" 2>/dev/null || fail "'$*' exited"
    if status=$(in_image FLYTE_AGENT_PORT="$port" "${HEALTH_CMD[@]}" 2>/dev/null); then break; fi
    status=""
    sleep 0.2
  done
  [ "$status" = "SERVING" ] || fail "'$*': the health service never reported SERVING on $port"
  listed=$(in_image node /opt/flyte-agent/.list-agents.js "$port") || fail "'$*': ListAgents failed"
  [ "$listed" = "$expected" ] || fail "'$*': ListAgents answered:
$listed
expected:
$expected"
  echo "image-helm: '$*' (from PATH, as $USERSPEC): health SERVING on $port, ListAgents lists the $(echo "$listed" | wc -l) default agents"
}
stop_server() {
  local code=0
  kill -TERM "$SERVER_PID"
  wait "$SERVER_PID" || code=$?
  SERVER_PID=""
  [ "$code" -eq 0 ] || fail "exit code $code after SIGTERM"
}
rss_kib() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }

# c0 (Flyte 2), with the load and the memory reading.
PORT=$(free_port)
METRICS=$(free_port)
serve_chart_command "$PORT" "$METRICS" c0
idle=$(rss_kib "$SERVER_PID" VmRSS)
node "$ROOT/packages/monitoring/dist/systest/image-load.js" "$PORT" 2000 || fail "the load against c0 failed"
peak=$(rss_kib "$SERVER_PID" VmHWM)
after=$(rss_kib "$SERVER_PID" VmRSS)
stop_server
echo "image-helm: memory with PLUGINS=\"$PLUGINS\": idle RSS $((idle / 1024)) MiB; after 2,000 tasks $((after / 1024)) MiB, peak $((peak / 1024)) MiB (chart: request 200Mi, limit ${CHART_LIMIT_MIB}Mi)"
[ "$((peak / 1024))" -lt "$CHART_LIMIT_MIB" ] || fail "peak RSS $((peak / 1024)) MiB is not under the chart's limit"

for cmd in "pyflyte serve agent" "pyflyte serve connector"; do
  PORT=$(free_port)
  METRICS=$(free_port)
  # shellcheck disable=SC2086 # the words of the chart's command
  serve_chart_command "$PORT" "$METRICS" $cmd
  stop_server
done

refusal=$(in_image pyflyte serve agent --modules flytekitplugins.bigquery 2>&1) && fail "--modules was accepted"
[ "$(echo "$refusal" | wc -l)" -eq 1 ] && [[ "$refusal" == *--modules* ]] || fail "--modules: expected one line naming it, got: $refusal"
echo "image-helm: pyflyte serve agent --modules ... -> refused: $refusal"

if port_free 8000 && port_free 9090; then
  serve_chart_command 8000 9090 c0
  in_image node -e 'fetch("http://127.0.0.1:9090/metrics").then(r=>r.text()).then(t=>process.exit(t.includes("flyte_agent_build_info")?0:1))' ||
    fail "c0 with the image's defaults serves no metrics on 9090"
  stop_server
  echo "image-helm: c0 with no port setting serves gRPC on 8000 and metrics on 9090 (the chart's ports)"
else
  echo "image-helm: (ports 8000/9090 are in use on this machine: the run with the chart's own ports was left out)"
fi
kill -TERM "$FAKE_PID"
wait "$FAKE_PID" || true
FAKE_PID=""
echo "image-helm: PASS"
