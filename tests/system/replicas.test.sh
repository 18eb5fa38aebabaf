#!/usr/bin/env bash
# Three `flyte-agent serve` replicas on 127.0.0.1 with the image's drain settings: a task created on
# one is polled and deleted on the others; then a rolling restart (SIGTERM one replica at a time)
# under a propeller-shaped load of 1,000 Databricks tasks (a fake workspace on loopback answering
# after 100 ms, so calls are in flight when a replica stops), once with client-side round_robin over the three
# addresses (as propeller's k8s:// resolver) and once through HAProxy (h2c). Passes when no
# CreateTask fails and no task sees six GetTask failures in a row; prints the errors per RPC and
# per run. (packages/monitoring/src/systest/replicas.ts)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HAPROXY=$(command -v haproxy || true)
WORK=$(mktemp -d /tmp/flyte-agent-replicas.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
(cd "$ROOT" && pnpm exec turbo run build --filter=@flyte-agent/monitoring... --filter=@flyte-agent/bundle... --output-logs=errors-only >/dev/null)
node "$ROOT/packages/monitoring/dist/systest/replicas.js" "$WORK" $HAPROXY
if [ -z "$HAPROXY" ]; then
  echo "replicas: SKIPPED: no haproxy binary (apt-get install haproxy): the HAProxy run was NOT made" >&2
  exit 77
fi
