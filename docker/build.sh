#!/usr/bin/env bash
# Builds the agent image with podman (or buildah) without a daemon:
#   docker/build.sh [-t TAG] [-p "PLUGINS"] [-b BASE_IMAGE] [-- extra build args]
# It builds the workspace, packs flyteidl, core, bundle and the bundled plugins with
# `pnpm pack` into a temporary build context next to docker/Dockerfile and docker/healthcheck.js,
# then runs `podman build --isolation chroot --format docker` (docker format keeps HEALTHCHECK).
#   TAG        image name          default: localhost/flyte-agent:latest
#   PLUGINS    the build argument  default: "bigquery databricks snowflake template"
#   BASE_IMAGE node 20 base image  default: the Dockerfile's (docker.io/library/node:20-bookworm-slim)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TAG=localhost/flyte-agent:latest
PLUGINS="bigquery databricks snowflake template"
BASE_IMAGE=""
while [ $# -gt 0 ]; do
  case "$1" in
    -t | --tag) TAG=$2; shift 2 ;;
    -p | --plugins) PLUGINS=$2; shift 2 ;;
    -b | --base) BASE_IMAGE=$2; shift 2 ;;
    --) shift; break ;;
    -h | --help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "build.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

if command -v podman >/dev/null; then
  BUILD=(podman build --isolation chroot --format docker)
elif command -v buildah >/dev/null; then
  BUILD=(buildah build --isolation chroot --format docker)
else
  echo "build.sh: needs podman or buildah (apt-get install -y podman)" >&2
  exit 1
fi

CONTEXT=$(mktemp -d /tmp/flyte-agent-image-context.XXXXXX)
trap 'rm -rf "$CONTEXT"' EXIT
(cd "$ROOT" && pnpm exec turbo run build --filter=@flyte-agent/bundle --output-logs=errors-only)
mkdir -p "$CONTEXT/tarballs"
for pkg in flyteidl core bundle bigquery databricks snowflake template; do
  (cd "$ROOT" && pnpm --filter "@flyte-agent/$pkg" pack --pack-destination "$CONTEXT/tarballs" >/dev/null)
done
cp "$ROOT/docker/Dockerfile" "$ROOT/docker/healthcheck.js" "$CONTEXT/"

args=(--build-arg "PLUGINS=$PLUGINS" -t "$TAG")
[ -n "$BASE_IMAGE" ] && args+=(--build-arg "BASE_IMAGE=$BASE_IMAGE")
echo "build.sh: ${BUILD[*]} PLUGINS=\"$PLUGINS\" -> $TAG"
"${BUILD[@]}" "${args[@]}" "$@" "$CONTEXT"
