import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Phase } from "@flyte-agent/core";
import { GrpcStatus, type RpcError, startTestServer, taskTemplate } from "@flyte-agent/testing";
import { BigQueryAgent } from "../src";
import { FakeBigQuery } from "../src/testing";

const CATEGORY = { name: "bigquery_query_job_task", version: 0 };
const template = () =>
  taskTemplate({ type: CATEGORY.name, sql: "SELECT 1", custom: { ProjectID: "flyte-test", Location: "US" } });

let fake: FakeBigQuery;
let secretsDir: string;
const saved = { ...process.env };

beforeAll(async () => {
  fake = await FakeBigQuery.start({ emulator: true });
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.reset();
  secretsDir = mkdtempSync(join(tmpdir(), "bq-secrets-"));
});
afterEach(() => {
  process.env = { ...saved };
  rmSync(secretsDir, { recursive: true, force: true });
});

test("BIGQUERY_EMULATOR_HOST: Google's client goes to the emulator, without the /bigquery/v2 prefix and without credentials", async () => {
  process.env.BIGQUERY_EMULATOR_HOST = fake.url;
  fake.auth = { emulator: true };
  const agent = new BigQueryAgent({ secretSource: { dir: secretsDir, env: {} }, retry: { baseDelayMs: 1 } });
  const { client } = await startTestServer({ agents: [agent] });

  const meta = await client.createTask({ template: template() });
  expect((await client.getTask(CATEGORY, meta)).phase).toBe(Phase.INITIALIZING);

  const [insert, get] = fake.http.requests;
  expect(insert!.path).toBe("/projects/flyte-test/jobs");
  expect(get!.path).toMatch(/^\/projects\/flyte-test\/jobs\/flyte_/);
  expect(insert!.headers.authorization).toBeUndefined();
});

test("FLYTE_BIGQUERY_API_ENDPOINT: a private endpoint gets BigQuery's /bigquery/v2 paths", async () => {
  process.env.FLYTE_BIGQUERY_API_ENDPOINT = fake.url;
  fake.auth = { accessToken: "token-for-private-endpoint" };
  const agent = new BigQueryAgent({ accessToken: () => "token-for-private-endpoint" });
  const { client } = await startTestServer({ agents: [agent] });

  await client.createTask({ template: template() });

  expect(fake.http.requests[0]!.path).toBe("/bigquery/v2/projects/flyte-test/jobs");
  expect(fake.http.requests[0]!.headers.authorization).toBe("Bearer token-for-private-endpoint");
});

test("an unreachable API is a non-terminal phase with a message on GetTask, and UNAVAILABLE on CreateTask", async () => {
  // A port that was free a moment ago: connections are refused.
  const port = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
  const agent = new BigQueryAgent({
    apiEndpoint: `http://127.0.0.1:${port}`,
    accessToken: () => "t",
    retry: { maxAttempts: 2, baseDelayMs: 1 },
  });
  const { client } = await startTestServer({ agents: [agent] });
  const meta = Buffer.from(JSON.stringify({ jobId: "flyte_abc", project: "flyte-test", location: "US" }));

  const resource = await client.getTask(CATEGORY, meta);
  expect(resource.phase).toBe(Phase.RUNNING);
  expect(resource.message).toMatch(/BigQuery API unavailable \(.*ECONNREFUSED.* after 2 attempts\); will check again/);

  const err = (await client.createTask({ template: template() }).catch((e: unknown) => e)) as RpcError;
  expect(err.code).toBe(GrpcStatus.UNAVAILABLE);
});

test("a credentials secret that is not a service-account key is FAILED_PRECONDITION, without its content", async () => {
  const content = '{"private_key": "-----BEGIN PRIVATE KEY-----\\nMIIEvQ-not-really"}';
  writeFileSync(join(secretsDir, "flyte_bigquery_service_account_json"), content);
  const agent = new BigQueryAgent({ apiEndpoint: fake.url, secretSource: { dir: secretsDir, env: {} } });
  const { client } = await startTestServer({ agents: [agent] });

  const err = (await client.createTask({ template: template() }).catch((e: unknown) => e)) as RpcError;

  expect(err.code).toBe(GrpcStatus.FAILED_PRECONDITION);
  expect(err.details).toBe(
    "secret FLYTE_BIGQUERY_SERVICE_ACCOUNT_JSON is not a service-account key (it needs client_email and private_key)",
  );
  expect(fake.http.requests).toHaveLength(0);
});

test("a jobs.get that hangs past the GetTask deadline is answered RUNNING with a message before the deadline", async () => {
  fake.auth = { accessToken: "t" };
  const agent = new BigQueryAgent({ apiEndpoint: fake.url, accessToken: () => "t" });
  // The agent keeps back a tenth of the time left (at most 1 s) to answer in; with a 5 s deadline
  // that is 500 ms, so a busy machine has to stall the event loop for half a second to fail this.
  const deadlineMs = 5000;
  const { client } = await startTestServer({ agents: [agent], client: { timeouts: { GetTask: deadlineMs } } });
  const meta = await client.createTask({ template: template() });
  fake.slowNext("get", deadlineMs + 1000);

  const started = Date.now();
  const resource = await client.getTask(CATEGORY, meta); // a late answer would reject with DEADLINE_EXCEEDED

  expect(resource.phase).toBe(Phase.RUNNING);
  expect(resource.message).toBe(
    "BigQuery API unavailable (no answer before the call's deadline after 1 attempt); will check again",
  );
  expect(Date.now() - started).toBeLessThan(deadlineMs);
});

test("configuration comes from the env the agent is given, read once when it is built", async () => {
  fake.auth = { accessToken: "t" };
  const env: NodeJS.ProcessEnv = { FLYTE_BIGQUERY_API_ENDPOINT: fake.url };
  const agent = new BigQueryAgent({ env, accessToken: () => "t" });
  env.FLYTE_BIGQUERY_API_ENDPOINT = "http://127.0.0.1:1"; // a later change is not seen
  const { client } = await startTestServer({ agents: [agent] });

  await client.createTask({ template: template() });

  expect(fake.http.requests.map((r) => r.path)).toEqual(["/bigquery/v2/projects/flyte-test/jobs"]);
});
