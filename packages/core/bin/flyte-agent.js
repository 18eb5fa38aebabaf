#!/usr/bin/env node

require("../dist/cli/main.js")
  .main(process.argv)
  .then(
    (code) => {
      if (typeof code === "number") process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`flyte-agent: ${err?.message ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
