import { Writable } from "node:stream";
import { createLogger, fromLiteralMap, Phase, phaseName, StructuredDatasetRef, toLiteralMap } from "@flyte-agent/core";
import { type RpcError, startTestServer, testExecutionMetadata } from "@flyte-agent/testing";
import plugin, { SnowflakeAgent } from "../src";
import { type FakeSnowflake, generateTestKeyPair, startFakeSnowflake } from "../src/testing";
import { ACCOUNT, USER, snowflakeTemplate } from "./helpers";

const keys = generateTestKeyPair();
const KEY_LINE = keys.privateKeyPem.split("\n")[1]!;
const snowflake = { name: "snowflake", version: 0 };
let fake: FakeSnowflake;
const saved = { ...process.env };

beforeAll(async () => {
  fake = await startFakeSnowflake({ publicKey: keys.publicKeyPem, account: "MYORG-ANALYTICS", user: USER });
  // The plugin's default agent reads the endpoint and the key from the environment at each call.
  process.env.FLYTE_SNOWFLAKE_ENDPOINT = fake.url;
  process.env._FSEC_SNOWFLAKE_PRIVATE_KEY = keys.privateKeyPem;
});
afterAll(async () => {
  process.env = saved;
  await fake.close();
});

function logSink(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString("utf8"));
      done();
    },
  });
  return { stream, text: () => chunks.join("") };
}

test("ListAgents shows the Snowflake agent serving snowflake", async () => {
  const { client } = await startTestServer({ plugins: [plugin] });
  expect(await client.listAgents()).toEqual([
    { name: "Snowflake Agent", isSync: false, supportedTaskTypes: ["snowflake"], supportedTaskCategories: [snowflake] },
  ]);
});

test("CreateTask -> GetTask runs a parameterised query to SUCCEEDED with results and a Snowsight link", async () => {
  const sink = logSink();
  const { client } = await startTestServer({
    plugins: [plugin],
    server: { logger: createLogger({ level: "debug", destination: sink.stream }) },
  });
  const template = snowflakeTemplate("SELECT * FROM t WHERE day = %(day)s", {
    inputs: { day: "datetime" },
    outputs: {
      results: {
        type: {
          $case: "structuredDatasetType",
          value: { columns: [], format: "", externalSchemaType: "", externalSchemaBytes: Buffer.alloc(0) },
        },
      },
    },
  });
  const run = await client.runTask({
    template,
    inputs: toLiteralMap({ day: new Date("2024-01-02T00:00:00Z") }, template.interface!.inputs),
    taskExecutionMetadata: testExecutionMetadata("e2e-ok"),
    pollIntervalMs: 1,
  });
  expect(run.timeline.map((t) => t.phaseName)).toEqual(["RUNNING", "SUCCEEDED"]);
  const meta = JSON.parse(Buffer.from(run.resourceMeta!).toString("utf8")) as { handle: string };
  expect(run.resource.logLinks.map((l) => [l.name, l.uri])).toEqual([
    ["Snowflake Query Details", `https://app.snowflake.com/myorg/analytics/#/compute/history/queries/${meta.handle}/detail`],
  ]);
  expect(fromLiteralMap(run.resource.outputs)).toEqual({
    results: new StructuredDatasetRef(`snowflake://${USER}:${ACCOUNT}/COMPUTE_WH/ANALYTICS/PUBLIC/${meta.handle}`),
  });
  expect(fake.statements.get(meta.handle)!.request.bindings).toEqual({
    "1": { type: "TIMESTAMP_NTZ", value: "1704153600000000000" },
  });
  const logs = sink.text();
  expect(logs).toContain('"operation":"get"');
  expect(logs).not.toContain(KEY_LINE);
  for (const token of fake.tokensSeen) expect(logs).not.toContain(token);
  expect(logs).not.toContain("[REDACTED]");
});

test("a repeated CreateTask submits one statement; DeleteTask cancels it and is OK twice", async () => {
  const { client } = await startTestServer({ plugins: [plugin] });
  const input = { template: snowflakeTemplate(), taskExecutionMetadata: testExecutionMetadata("e2e-repeat") };
  const before = fake.statements.size;
  const first = await client.createTask(input);
  const second = await client.createTask(input);
  expect(Buffer.from(second).equals(Buffer.from(first))).toBe(true);
  expect(fake.statements.size).toBe(before + 1);
  await client.deleteTask(snowflake, first);
  await client.deleteTask(snowflake, first);
  const { handle } = JSON.parse(Buffer.from(first).toString("utf8")) as { handle: string };
  expect(fake.statements.get(handle)!.cancelCalls).toBe(2);
  const resource = await client.getTask(snowflake, first);
  expect(phaseName(resource.phase)).toBe("ABORTED");
  expect(resource.message).toBe("the query was cancelled: SQL execution canceled (SQL state 57014, code 000604)");
});

test("a 429 burst does not fail the task", async () => {
  const agent = new SnowflakeAgent({ retry: { baseDelayMs: 5, maxDelayMs: 10, maxRetryAfterMs: 1_000 } });
  const { client } = await startTestServer({ agents: [agent] });
  try {
    fake.failNext("submit", { status: 429, retryAfter: "0", times: 2 });
    fake.failNext("status", { status: 429, times: 4 });
    fake.failNext("status", { status: 503, times: 3 });
    const messages: string[] = [];
    const run = await client.runTask({
      template: snowflakeTemplate(),
      taskExecutionMetadata: testExecutionMetadata("e2e-429"),
      pollIntervalMs: 1,
      onResource: (r) => messages.push(`${phaseName(r.phase)} ${r.message}`),
    });
    expect(run.phase).toBe(Phase.SUCCEEDED);
    expect(messages[0]).toMatch(
      /^RUNNING cannot read statement \S+ yet: rate limited by Snowflake \(HTTP 429\) \(after 4 attempts\)$/,
    );
    // The next GetTask outlasts three 503s and reads the statement.
    expect(messages.slice(1)).toEqual([
      "RUNNING Asynchronous execution in progress. Use provided query id to perform query monitoring and management.",
      "SUCCEEDED Statement executed successfully.",
    ]);
  } finally {
    agent.close();
  }
});

test("a task without a statement is INVALID_ARGUMENT naming it", async () => {
  const { client } = await startTestServer({ plugins: [plugin] });
  const err = (await client.createTask({ template: snowflakeTemplate(" ") }).catch((e: unknown) => e)) as RpcError;
  expect(err.code).toBe(3);
  expect(err.details).toBe("the task has no SQL statement: sql.statement (the query template) is empty");
});

test("a Snowflake slower than GetTask's deadline gets a RUNNING reply in time, not DEADLINE_EXCEEDED", async () => {
  const slow = await startFakeSnowflake({
    publicKey: keys.publicKeyPem,
    account: "MYORG-ANALYTICS",
    user: USER,
    latencyMs: 4_000,
  });
  const agent = new SnowflakeAgent({ endpoint: slow.url });
  const { client } = await startTestServer({ agents: [agent], client: { timeouts: { GetTask: 1_500 } } });
  try {
    const meta = Buffer.from(
      JSON.stringify({
        account: ACCOUNT,
        user: USER,
        database: "D",
        schema: "S",
        warehouse: "W",
        handle: "01b2-0001",
        hasOutputs: false,
      }),
    );
    const started = Date.now();
    const resource = await client.getTask(snowflake, meta);
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(phaseName(resource.phase)).toBe("RUNNING");
    expect(resource.message).toMatch(/^cannot read statement 01b2-0001 yet: no answer from Snowflake within \d+ ms/);
  } finally {
    agent.close();
    await slow.close();
  }
});
