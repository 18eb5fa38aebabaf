#!/usr/bin/env node

require("../dist/cli.js")
  .bundleMain(process.argv.slice(2))
  .then(
    (code) => {
      if (typeof code === "number") process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`flyte-agent-bundle: ${err?.message ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
