#!/usr/bin/env node

require("../dist/index.js")
  .createFlyteAgent(process.argv.slice(2))
  .then(
    (code) => {
      if (typeof code === "number") process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`create-flyte-agent: ${err?.message ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
