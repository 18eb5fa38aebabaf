#!/usr/bin/env bash
# Makes a minimal node 20 base image from this machine's own node, for hosts that cannot pull
# images (offline CI):  docker/local-base-image.sh [TAG]   (default localhost/flyte-agent-node-base:local)
# It holds node and the libraries it links, npm, /bin/sh (dash), /usr/bin/env and the system CA
# bundle, imported with `podman import`. Use it with: docker/build.sh -b TAG
set -euo pipefail
TAG=${1:-localhost/flyte-agent-node-base:local}
NODE=$(readlink -f "$(command -v node)")
NPM_DIR=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
SH=$(readlink -f /bin/sh)
ENV_BIN=$(readlink -f "$(command -v env)")
CA=/etc/ssl/certs/ca-certificates.crt

ROOTFS=$(mktemp -d /tmp/flyte-agent-base.XXXXXX)
trap 'rm -rf "$ROOTFS"' EXIT
libs=$(ldd "$NODE" "$SH" "$ENV_BIN" | grep -o '/[^ ]*\.so[^ ]*' | sort -u)
# shellcheck disable=SC2086 # one path per word
tar -cf - --dereference $libs "$CA" "$NPM_DIR" 2>/dev/null | tar -xf - -C "$ROOTFS"
mkdir -p "$ROOTFS/usr/bin" "$ROOTFS/bin" "$ROOTFS/tmp" "$ROOTFS/etc"
cp "$NODE" "$ROOTFS/usr/bin/node"
cp "$SH" "$ROOTFS/bin/sh"
cp "$ENV_BIN" "$ROOTFS/usr/bin/env"
ln -s "$NPM_DIR/bin/npm-cli.js" "$ROOTFS/usr/bin/npm"
ln -s "$NPM_DIR/bin/npx-cli.js" "$ROOTFS/usr/bin/npx"
chmod 1777 "$ROOTFS/tmp"
printf 'root:x:0:0:root:/root:/bin/sh\nagent:x:10001:10001:flyte agent:/tmp:/bin/sh\n' >"$ROOTFS/etc/passwd"
printf 'root:x:0:\nagent:x:10001:\n' >"$ROOTFS/etc/group"
tar -C "$ROOTFS" -cf - . | podman import --quiet \
  --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin' \
  --change "ENV NODE_EXTRA_CA_CERTS=$CA" \
  - "$TAG" >/dev/null
echo "$TAG"
