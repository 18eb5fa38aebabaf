import { Writable } from "node:stream";
import { createLogger, Phase, phaseName } from "@flyte-agent/core";
import { type RpcError, startTestServer, testExecutionMetadata } from "@flyte-agent/testing";
import plugin, { DatabricksAgent } from "../src";
import { type FakeDatabricks, startFakeDatabricks } from "../src/testing";
import { databricksTemplate } from "./helpers";

const TOKEN = "dapi-e2e-secret-token-42";
const cluster = { databricksConf: { existing_cluster_id: "0101-cluster" } };
const databricks = { name: "databricks", version: 0 };

let fake: FakeDatabricks;
const saved = { ...process.env };

beforeAll(async () => {
  fake = await startFakeDatabricks({ token: TOKEN });
  // The plugin's default agents read the workspace and token from the environment at each call.
  process.env.FLYTE_DATABRICKS_INSTANCE = fake.url;
  process.env._FSEC_FLYTE_DATABRICKS_ACCESS_TOKEN = TOKEN;
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

test("ListAgents shows one Databricks agent serving spark and databricks", async () => {
  const { client } = await startTestServer({ plugins: [plugin] });
  const listed = await client.listAgents();
  expect(listed).toEqual([
    {
      name: "Databricks Agent",
      isSync: false,
      supportedTaskTypes: ["spark", "databricks"],
      supportedTaskCategories: [
        { name: "spark", version: 0 },
        { name: "databricks", version: 0 },
      ],
    },
  ]);
});

test.each(["databricks", "spark"])(
  "CreateTask -> GetTask follows PENDING -> RUNNING -> SUCCESS to SUCCEEDED (%s)",
  async (type) => {
    const sink = logSink();
    const { client } = await startTestServer({
      plugins: [plugin],
      server: { logger: createLogger({ level: "debug", destination: sink.stream }) },
    });
    const run = await client.runTask({
      template: databricksTemplate(cluster, { type }),
      taskExecutionMetadata: testExecutionMetadata(`e2e-${type}`),
      pollIntervalMs: 1,
    });
    expect(run.timeline.map((t) => t.phaseName)).toEqual(["INITIALIZING", "RUNNING", "SUCCEEDED"]);
    expect(run.resource.logLinks.map((l) => [l.name, l.uri])).toEqual([
      ["Databricks Console", expect.stringMatching(new RegExp(`^${fake.url}/.*#job/\\d+/run/\\d+$`))],
    ]);
    const meta = Buffer.from(run.resourceMeta!).toString("utf8");
    expect(JSON.parse(meta)).toEqual({ instance: fake.url, runId: expect.stringMatching(/^\d+$/) });
    expect(meta).not.toContain(TOKEN);
    // Nothing to redact: the plugin never logged the token (core would have written [REDACTED]).
    expect(sink.text()).toContain('"operation":"get"');
    expect(sink.text()).not.toContain(TOKEN);
    expect(sink.text()).not.toContain("[REDACTED]");
  },
);

test("a repeated CreateTask submits one run; DeleteTask cancels it and is OK twice", async () => {
  const { client } = await startTestServer({ plugins: [plugin] });
  const input = { template: databricksTemplate(cluster), taskExecutionMetadata: testExecutionMetadata("e2e-repeat") };
  const before = fake.runs.size;
  const first = await client.createTask(input);
  const second = await client.createTask(input);
  expect(Buffer.from(second).equals(Buffer.from(first))).toBe(true);
  expect(fake.runs.size).toBe(before + 1);
  await client.deleteTask(databricks, first);
  await client.deleteTask(databricks, first);
  const { runId } = JSON.parse(Buffer.from(first).toString("utf8")) as { runId: string };
  expect(fake.runs.get(runId)?.cancelCalls).toBe(2);
  const resource = await client.getTask(databricks, first);
  expect(phaseName(resource.phase)).toBe("FAILED");
  expect(resource.message).toBe("CANCELED: Run cancelled.");
});

test("429 and 5xx blips do not fail the task", async () => {
  const agent = new DatabricksAgent({ retry: { baseDelayMs: 5, maxDelayMs: 10, maxRetryAfterMs: 1_000 } });
  const { client } = await startTestServer({ agents: [agent] });
  try {
    fake.failNext("submit", { status: 503 });
    fake.failNext("get", { status: 429, retryAfter: "0" });
    fake.failNext("get", { status: 500, times: 5 });
    fake.failNext("get", { drop: true });
    const messages: string[] = [];
    const run = await client.runTask({
      template: databricksTemplate(cluster),
      taskExecutionMetadata: testExecutionMetadata("e2e-blips"),
      pollIntervalMs: 1,
      onResource: (r) => messages.push(`${phaseName(r.phase)} ${r.message}`),
    });
    expect(run.phase).toBe(Phase.SUCCEEDED);
    expect(messages[0]).toMatch(/^RUNNING cannot read run \d+ yet: Databricks answered HTTP 500/);
    expect(messages.slice(1).map((m) => m.split(" ")[0])).toEqual(["INITIALIZING", "RUNNING", "SUCCEEDED"]);
  } finally {
    agent.close();
  }
});

test("a template without compute is INVALID_ARGUMENT naming what is missing", async () => {
  const { client } = await startTestServer({ plugins: [plugin] });
  const err = (await client
    .createTask({ template: databricksTemplate({ databricksConf: {} }) })
    .catch((e: unknown) => e)) as RpcError;
  expect(err.code).toBe(3);
  expect(err.details).toBe(
    "custom.databricksConf has no compute: set existing_cluster_id, new_cluster, or environments / environment_key (serverless)",
  );
});

test("a wrong token fails GetTask's task with a clear message and no token in it", async () => {
  const { client } = await startTestServer({ plugins: [plugin] });
  const meta = await client.createTask({
    template: databricksTemplate(cluster),
    taskExecutionMetadata: testExecutionMetadata("e2e-401"),
  });
  process.env._FSEC_FLYTE_DATABRICKS_ACCESS_TOKEN = "dapi-revoked-token";
  try {
    const resource = await client.getTask(databricks, meta);
    expect(phaseName(resource.phase)).toBe("FAILED");
    expect(resource.message).toMatch(/^Databricks rejected the access token \(HTTP 401\): check the token secret/);
    expect(resource.message).not.toContain("dapi-revoked-token");
  } finally {
    process.env._FSEC_FLYTE_DATABRICKS_ACCESS_TOKEN = TOKEN;
  }
});

test("a workspace slower than GetTask's deadline gets a RUNNING reply in time, not DEADLINE_EXCEEDED", async () => {
  // With a 5 s deadline the agent keeps 1 s back to answer in, so a busy machine has that much
  // slack; the workspace answers only after the deadline.
  const deadlineMs = 5_000;
  const slow = await startFakeDatabricks({ token: TOKEN, latencyMs: deadlineMs + 3_000 });
  const agent = new DatabricksAgent({ instance: slow.url });
  const { client } = await startTestServer({ agents: [agent], client: { timeouts: { GetTask: deadlineMs } } });
  try {
    const meta = Buffer.from(JSON.stringify({ instance: slow.url, runId: "123" }));
    const started = Date.now();
    const resource = await client.getTask(databricks, meta); // a late answer rejects with DEADLINE_EXCEEDED
    expect(Date.now() - started).toBeLessThan(deadlineMs);
    expect(phaseName(resource.phase)).toBe("RUNNING");
    expect(resource.message).toMatch(/^cannot read run 123 yet: no answer from Databricks within \d+ ms/);
  } finally {
    agent.close();
    await slow.close();
  }
});
