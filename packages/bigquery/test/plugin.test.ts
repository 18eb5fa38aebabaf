import { isAgentPlugin } from "@flyte-agent/core";
import plugin, { BigQueryAgent } from "../src";

test("the default export is a tagged plugin serving bigquery_query_job_task@0, and package.json points at it", () => {
  expect(isAgentPlugin(plugin)).toBe(true);
  expect(plugin.agents).toHaveLength(1);
  expect(plugin.agents[0]).toBeInstanceOf(BigQueryAgent);
  expect(plugin.agents[0]!.category).toEqual({ name: "bigquery_query_job_task", version: 0 });
  const pkg = require("../package.json");
  expect(pkg.flyteAgent.plugin).toBe("./dist/index.js");
  expect(pkg.main).toBe("dist/index.js");
});
