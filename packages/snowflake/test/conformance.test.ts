import { join } from "node:path";
import { checkConformance, startServerProcess } from "@flyte-agent/testing";
import plugin from "../src";
import { type FakeSnowflake, generateTestKeyPair, startFakeSnowflake } from "../src/testing";
import { USER, snowflakeTemplate } from "./helpers";

const keys = generateTestKeyPair();
let fake: FakeSnowflake;
const saved = { ...process.env };

beforeAll(async () => {
  fake = await startFakeSnowflake({
    publicKey: keys.publicKeyPem,
    account: "MYORG-ANALYTICS",
    user: USER,
    stepsFor: (sql) =>
      sql.includes("missing_table")
        ? [
            { state: "running" },
            { state: "failed", message: "SQL compilation error: Object 'MISSING_TABLE' does not exist.", sqlState: "42S02" },
          ]
        : [{ state: "queued" }, { state: "running" }, { state: "success" }],
  });
  process.env._FSEC_SNOWFLAKE_PRIVATE_KEY = keys.privateKeyPem;
  process.env.FLYTE_SNOWFLAKE_ENDPOINT = fake.url;
});
afterAll(async () => {
  process.env = saved;
  await fake.close();
});

const unknownStatement = () =>
  Buffer.from(
    JSON.stringify({
      account: "myorg-analytics",
      user: USER,
      database: "D",
      schema: "S",
      warehouse: "W",
      handle: "01b00000-0000-0000-0000-00000000dead",
      hasOutputs: false,
    }),
  );

checkConformance(
  plugin,
  [
    {
      name: "snowflake query that succeeds",
      template: () =>
        snowflakeTemplate("SELECT 1", {
          outputs: {
            results: {
              type: {
                $case: "structuredDatasetType",
                value: { columns: [], format: "", externalSchemaType: "", externalSchemaBytes: Buffer.alloc(0) },
              },
            },
          },
        }),
      expectPhase: "SUCCEEDED",
      unknownResourceMeta: unknownStatement,
    },
    {
      name: "snowflake query that fails",
      template: () => snowflakeTemplate("SELECT * FROM missing_table"),
      expectPhase: "FAILED",
      unknownResourceMeta: unknownStatement,
    },
  ],
  {
    secrets: [keys.privateKeyPem, keys.privateKeyPem.split("\n")[1]!],
    pollIntervalMs: 1,
    // Another replica: the built plugin served from a separate process, sharing nothing but resource_meta.
    secondServer: () =>
      startServerProcess({
        modules: [join(__dirname, "..", "dist", "index.js")],
        env: { _FSEC_SNOWFLAKE_PRIVATE_KEY: keys.privateKeyPem, FLYTE_SNOWFLAKE_ENDPOINT: fake.url },
      }),
  },
);
