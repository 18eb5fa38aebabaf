#!/usr/bin/env node
"use strict";
require("../dist/cli/main.js").main(process.argv).then(
  (code) => {
    if (typeof code === "number") process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`flyte-agent: ${err && err.message ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
