/**
 * `flyte-agent run` (core's CLI, in a child process) runs a snowflake task in-process with the
 * built plugin against the fake SQL API.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runFlyteAgentCli } from "@flyte-agent/testing";
import { type FakeSnowflake, generateTestKeyPair, startFakeSnowflake } from "../src/testing";
import { ACCOUNT, USER } from "./helpers";

const PLUGIN = join(__dirname, "..", "dist", "index.js");
const keys = generateTestKeyPair();
let fake: FakeSnowflake;
let dir: string;

beforeAll(async () => {
  fake = await startFakeSnowflake({ publicKey: keys.publicKeyPem, account: "MYORG-ANALYTICS", user: USER });
  dir = mkdtempSync(join(tmpdir(), "snowflake-run-"));
});
afterAll(async () => {
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

test("flyte-agent run runs a snowflake task against the fake and prints its results", async () => {
  const template = join(dir, "query.json");
  writeFileSync(
    template,
    JSON.stringify({
      id: { resourceType: "TASK", project: "p", domain: "d", name: "orders_by_region", version: "1" },
      type: "snowflake",
      interface: {
        inputs: { variables: { region: { type: { simple: "STRING" } }, min_total: { type: { simple: "FLOAT" } } } },
        outputs: { variables: { results: { type: { structuredDatasetType: {} } } } },
      },
      config: { account: ACCOUNT, user: USER, database: "SALES", schema: "PUBLIC", warehouse: "COMPUTE_WH" },
      sql: { statement: "SELECT * FROM orders WHERE region = %(region)s AND total >= %(min_total)s", dialect: "ANSI" },
    }),
  );
  const { code, stdout, stderr } = await runFlyteAgentCli(
    [
      "run",
      template,
      "-i",
      "region=emea",
      "-i",
      "min_total=9.5",
      "--poll-interval",
      "10ms",
      "--max-poll-interval",
      "50ms",
      "--include",
      PLUGIN,
    ],
    { env: { _FSEC_SNOWFLAKE_PRIVATE_KEY: keys.privateKeyPem, FLYTE_SNOWFLAKE_ENDPOINT: fake.url, LOG_LEVEL: "info" } },
  );
  expect({ code, stderr }).toMatchObject({ code: 0 });
  expect(fake.statements.size).toBe(1);
  const [statement] = [...fake.statements.values()];
  expect(statement!.request).toMatchObject({
    statement: "SELECT * FROM orders WHERE region = ? AND total >= ?",
    database: "SALES",
    bindings: { "1": { type: "TEXT", value: "emea" }, "2": { type: "REAL", value: "9.5" } },
  });
  expect(JSON.parse(stdout)).toEqual({
    results: { uri: `snowflake://${USER}:${ACCOUNT}/COMPUTE_WH/SALES/PUBLIC/${statement!.handle}`, format: "" },
  });
  expect(stderr).toMatch(/running snowflake@0 \(async\) in-process/);
  expect(stderr).toContain(
    `log: Snowflake Query Details: https://app.snowflake.com/myorg/analytics/#/compute/history/queries/${statement!.handle}/detail`,
  );
  expect(stderr).not.toContain(keys.privateKeyPem.split("\n")[1]!);
});
