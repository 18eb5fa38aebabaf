/** The AWS SDK and xxhash-wasm load on first use: loading the plugin (as serve does) loads neither. */
import { execFileSync } from "node:child_process";
import { join } from "node:path";

const PLUGIN = join(__dirname, "..", "dist", "index.js");

test("requiring the built plugin and listing its agents loads no AWS SDK module and no xxhash", () => {
  const script = `
    const plugin = require(${JSON.stringify(PLUGIN)}).default;
    const names = plugin.agents.map((a) => a.category.name + ":" + a.customKeys.join(","));
    const loaded = Object.keys(require.cache).filter((p) => /@aws-sdk|@smithy|xxhash-wasm/.test(p));
    process.stdout.write(JSON.stringify({ names, loaded }));
  `;
  const out = JSON.parse(execFileSync(process.execPath, ["-e", script], { encoding: "utf8" })) as {
    names: string[];
    loaded: string[];
  };
  expect(out.names).toEqual(["sagemaker-endpoint:config,region", "boto:service,method,config,region,images"]);
  expect(out.loaded).toEqual([]);
});
