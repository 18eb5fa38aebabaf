#!/usr/bin/env bash
# Builds the agent image with podman (or buildah) without a daemon:
#   docker/build.sh [-t TAG] [-p "PLUGINS"] [-b BASE_IMAGE] [--npmrc FILE] [-- extra build args]
# It builds the workspace, makes the node_modules of the bundle and the bundled plugins with
# `pnpm deploy` (exactly the versions in pnpm-lock.yaml), packs the workspace packages in it
# with `pnpm pack`, puts both into a temporary build context next to docker/Dockerfile,
# docker/healthcheck.js and docker/image-plugins.js, then runs
# `podman build --isolation chroot --format docker` (docker format keeps HEALTHCHECK).
#   TAG        image name          default: localhost/flyte-agent:latest
#   PLUGINS    the build argument  default: "bigquery databricks openai sagemaker sensor snowflake template webhook"; each word
#              is a bundled plugin (template, @flyte-agent/template), a plugin package directory
#              (built, then packed), a plugin .tgz, or a registry spec name@version
#   BASE_IMAGE node 24 base image  default: the Dockerfile's (docker.io/library/node:24-bookworm-slim)
#   FILE       an .npmrc for a private registry (registry=, //host/:_authToken=); passed as the
#              build secret "npmrc", so it is in no image layer
set -euo pipefail
usage() {
  cat <<'USAGE'
Usage: docker/build.sh [-t TAG] [-p "PLUGINS"] [-b BASE_IMAGE] [--npmrc FILE] [-- extra build args]

Builds the agent image with podman (or buildah), without a daemon: builds the workspace, makes
the node_modules of the bundle and the bundled plugins with pnpm deploy (exactly the versions in
pnpm-lock.yaml), packs the workspace packages, then runs
podman build --isolation chroot --format docker.

  -t, --tag TAG        image name (default: localhost/flyte-agent:latest)
  -p, --plugins LIST   the plugins, space-separated (default: "bigquery databricks snowflake template").
                       Each is a bundled plugin by short or package name (template,
                       @flyte-agent/template), a plugin package directory (built, then packed),
                       a plugin .tgz, or a registry spec name@version
  -b, --base IMAGE     base image with node 24 and npm (default: the Dockerfile's node:24-bookworm-slim)
  --npmrc FILE         an .npmrc for a private registry, passed as the build secret "npmrc"
                       (in no image layer)
  -h, --help           this text

Example:
  docker/build.sh -p "template ../team-jobs" -t registry.example.com/flyte-agent:team
USAGE
}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TAG=localhost/flyte-agent:latest
PLUGINS="bigquery databricks openai sagemaker sensor snowflake template webhook"
BASE_IMAGE=""
NPMRC=""
while [ $# -gt 0 ]; do
  case "$1" in
    -t | --tag) TAG=$2; shift 2 ;;
    -p | --plugins) PLUGINS=$2; shift 2 ;;
    -b | --base) BASE_IMAGE=$2; shift 2 ;;
    --npmrc) NPMRC=$2; shift 2 ;;
    --) shift; break ;;
    -h | --help) usage; exit 0 ;;
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

fail() {
  echo "build.sh: $*" >&2
  exit 1
}
if [ -n "$NPMRC" ] && [ ! -f "$NPMRC" ]; then fail "--npmrc $NPMRC: no such file"; fi

CONTEXT=$(mktemp -d /tmp/flyte-agent-image-context.XXXXXX)
SECRETS=$(mktemp -d /tmp/flyte-agent-image-secrets.XXXXXX)
trap 'rm -rf "$CONTEXT" "$SECRETS"' EXIT
(cd "$ROOT" && pnpm exec turbo run build --filter=@flyte-agent/bundle --output-logs=errors-only)
cp "$ROOT/docker/Dockerfile" "$ROOT/docker/healthcheck.js" "$ROOT/docker/image-plugins.js" "$CONTEXT/"

# The image's node_modules, at exactly the versions in pnpm-lock.yaml: `pnpm deploy` of the
# bundle (its dependencies, and its dev dependencies: every bundled plugin) with a flat, npm-style
# layout. Every workspace package in it (the bundle, which deploy puts at the top, included) is
# packed with `pnpm pack` into tarballs/ and replaced by its tarball's content (what a registry
# would serve: `workspace:` ranges rewritten, only the published files); the bundle goes to
# node_modules/@flyte-agent/bundle. The Dockerfile then keeps the plugins PLUGINS names
# (docker/image-plugins.js). A plugin added to the bundle's devDependencies is in the image's
# node_modules (and packed) without a change here.
APP="$CONTEXT/app"
(cd "$ROOT" && pnpm --filter @flyte-agent/bundle deploy --frozen-lockfile --config.node-linker=hoisted "$APP" >"$CONTEXT/deploy.log" 2>&1) ||
  { cat "$CONTEXT/deploy.log" >&2; fail "pnpm deploy of the bundle failed"; }
rm -f "$CONTEXT/deploy.log"
find "$APP" -mindepth 1 -maxdepth 1 ! -name node_modules -exec rm -rf {} +
rm -rf "$APP/node_modules/.pnpm" "$APP/node_modules/.modules.yaml" "$APP/node_modules"/.pnpm-*
mkdir -p "$CONTEXT/tarballs"
bundle_version=$(node -p 'require(process.argv[1]).version' "$ROOT/packages/bundle/package.json")
for name in @flyte-agent/bundle $(cd "$APP/node_modules" && ls -d @flyte-agent/*); do
  version=$bundle_version
  [ "$name" = @flyte-agent/bundle ] || version=$(node -p 'require(process.argv[1]).version' "$APP/node_modules/$name/package.json")
  (cd "$ROOT" && pnpm --filter "$name" pack --pack-destination "$CONTEXT/tarballs" >/dev/null) || fail "pnpm pack $name"
  tarball="$CONTEXT/tarballs/$(echo "${name#@}" | tr / -)-$version.tgz"
  [ -f "$tarball" ] || fail "pnpm pack $name: no $tarball"
  rm -rf "${APP:?}/node_modules/$name"
  mkdir -p "$APP/node_modules/$name"
  tar -xzf "$tarball" -C "$APP/node_modules/$name" --strip-components=1
done

# Plugins given as a directory or a .tgz go into the context (tarballs/team/) and PLUGINS names
# them by their path in the image; everything else is passed on for the bundle to check.
mkdir -p "$CONTEXT/tarballs/team"
image_plugins=()
for word in ${PLUGINS//,/ }; do
  if [ -d "$word" ]; then
    node "$ROOT/docker/check-plugin-package.js" "$word" || exit 1
    dir=$(cd "$word" && pwd)
    name=$(node -p 'require(process.argv[1]).name' "$dir/package.json")
    echo "build.sh: plugin $word ($name): building and packing"
    if grep -q '"workspace:' "$dir/package.json"; then
      (cd "$dir" && pnpm run --if-present build >/dev/null && pnpm pack --pack-destination "$CONTEXT/tarballs/team" >/dev/null) ||
        fail "plugin $word ($name): build or pack failed"
    else
      (cd "$dir" && npm pack --silent --pack-destination "$CONTEXT/tarballs/team" >/dev/null) ||
        fail "plugin $word ($name): npm pack failed (run npm install in $word first)"
    fi
    file=$(ls -t "$CONTEXT/tarballs/team" | head -1)
    image_plugins+=("/opt/flyte-agent/tarballs/team/$file")
  elif [[ "$word" == *.tgz ]]; then
    [ -f "$word" ] || fail "plugin $word: no such file"
    node "$ROOT/docker/check-plugin-package.js" "$word" || exit 1
    cp "$word" "$CONTEXT/tarballs/team/"
    image_plugins+=("/opt/flyte-agent/tarballs/team/$(basename "$word")")
  elif [[ "$word" == */* && "$word" != @* ]] || [[ "$word" == .* ]]; then
    fail "plugin $word: no such directory or .tgz file"
  else
    image_plugins+=("$word")
  fi
done
PLUGINS="${image_plugins[*]}"

# The build secret is always given (an empty .npmrc without --npmrc), so that the Dockerfile's
# secret mount never depends on how this builder treats a missing secret.
secret="$SECRETS/npmrc"
if [ -n "$NPMRC" ]; then cp "$NPMRC" "$secret"; else : >"$secret"; fi
chmod 600 "$secret"

args=(--build-arg "PLUGINS=$PLUGINS" --secret "id=npmrc,src=$secret" -t "$TAG")
[ -n "$BASE_IMAGE" ] && args+=(--build-arg "BASE_IMAGE=$BASE_IMAGE")
echo "build.sh: ${BUILD[*]} PLUGINS=\"$PLUGINS\" -> $TAG"
"${BUILD[@]}" "${args[@]}" "$@" "$CONTEXT"
