#!/usr/bin/env bash
# A real Prometheus (Debian's `prometheus` package) on 127.0.0.1 scrapes `flyte-agent serve` under
# a short load (fake Databricks workspaces on loopback, one answering 401) with the alert rules
# generated from deploy/monitoring/component/prometheus-rules.yaml (for: shortened to 2 s).
# Every query of every panel of deploy/monitoring's dashboard must return data, and
# FlyteAgentExternalCredentialsRefused must fire. (packages/monitoring/src/systest/prometheus-check.ts)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PROMETHEUS=$(command -v prometheus || true)
if [ -z "$PROMETHEUS" ]; then
  echo "prometheus: SKIPPED: no prometheus binary (apt-get install prometheus)" >&2
  exit 77
fi
WORK=$(mktemp -d /tmp/flyte-agent-prometheus.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
(cd "$ROOT" && pnpm exec turbo run build --filter=@flyte-agent/monitoring... --filter=@flyte-agent/bundle... --output-logs=errors-only >/dev/null)
echo "prometheus: $("$PROMETHEUS" --version 2>&1 | head -1)"
node "$ROOT/packages/monitoring/dist/systest/prometheus-check.js" "$PROMETHEUS" "$WORK"
