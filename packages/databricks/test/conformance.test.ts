import { join } from "node:path";
import { checkConformance, startServerProcess } from "@flyte-agent/testing";
import plugin from "../src";
import { type FakeDatabricks, startFakeDatabricks } from "../src/testing";
import { databricksTemplate } from "./helpers";

const TOKEN = "dapi-conformance-token-7";
let succeeding: FakeDatabricks;
let failing: FakeDatabricks;
const saved = { ...process.env };

beforeAll(async () => {
  succeeding = await startFakeDatabricks({ token: TOKEN });
  failing = await startFakeDatabricks({
    token: TOKEN,
    states: [
      { life_cycle_state: "RUNNING" },
      { life_cycle_state: "TERMINATED", result_state: "FAILED", state_message: "Task failed with error: boom" },
    ],
  });
  process.env._FSEC_FLYTE_DATABRICKS_ACCESS_TOKEN = TOKEN;
  process.env.FLYTE_DATABRICKS_INSTANCE = succeeding.url;
});
afterAll(async () => {
  process.env = saved;
  await Promise.all([succeeding.close(), failing.close()]);
});

const unknownRun = () => Buffer.from(JSON.stringify({ instance: succeeding.url, runId: "31337" }));

checkConformance(
  plugin,
  [
    {
      name: "databricks run that succeeds",
      template: () => databricksTemplate({ databricksConf: { new_cluster: { num_workers: 1 } } }),
      expectPhase: "SUCCEEDED",
      unknownResourceMeta: unknownRun,
    },
    {
      name: "legacy spark run that fails",
      template: () =>
        databricksTemplate(
          { databricksConf: { existing_cluster_id: "c-1" }, databricksInstance: failing.url },
          { type: "spark" },
        ),
      expectPhase: "FAILED",
      unknownResourceMeta: unknownRun,
    },
  ],
  {
    secrets: [TOKEN],
    pollIntervalMs: 1,
    // Another replica: the built plugin served from a separate process, sharing nothing but resource_meta.
    secondServer: () =>
      startServerProcess({
        modules: [join(__dirname, "..", "dist", "index.js")],
        env: { _FSEC_FLYTE_DATABRICKS_ACCESS_TOKEN: TOKEN, FLYTE_DATABRICKS_INSTANCE: succeeding.url },
      }),
  },
);
