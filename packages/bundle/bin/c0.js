#!/usr/bin/env node
// Flyte's Helm chart (charts/flyteconnector) starts the connector container with `c0`;
// here that command runs `flyte-agent serve` (packages/bundle/README.md, "Flyte's Helm chart").
require("../dist/chart-main.js")
  .chartCommandMain("c0", process.argv.slice(2))
  .then(
    (code) => {
      if (typeof code === "number") process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`c0: ${err?.message ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
