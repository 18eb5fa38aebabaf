import { flyteidl, fromLiteralMap, Phase, StructuredDatasetRef, toLiteralMap } from "@flyte-agent/core";
import {
  GrpcStatus,
  type PropellerClient,
  type RpcError,
  startTestServer,
  taskTemplate,
  testExecutionMetadata,
  type CustomValue,
  type TaskTemplateOptions,
} from "@flyte-agent/testing";
import { BigQueryAgent, type BigQueryAgentOptions } from "../src";
import { FakeBigQuery } from "../src/testing";

const CATEGORY = { name: "bigquery_query_job_task", version: 0 };
const TOKEN = "ya29.test-access-token-0001";

let fake: FakeBigQuery;
let client: PropellerClient;

function agentOptions(extra: BigQueryAgentOptions = {}): BigQueryAgentOptions {
  return { apiEndpoint: fake.url, accessToken: () => TOKEN, retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 }, ...extra };
}

beforeAll(async () => {
  fake = await FakeBigQuery.start({ accessToken: TOKEN });
  ({ client } = await startTestServer({ agents: [new BigQueryAgent(agentOptions())] }));
});
afterAll(() => fake.close());

beforeEach(() => fake.reset());

function template(custom: Record<string, CustomValue> = {}, more: Partial<TaskTemplateOptions> = {}) {
  return taskTemplate({
    sql: "SELECT * FROM `p.d.t` WHERE id = @id AND day = @day",
    inputs: { id: "integer", day: "datetime" },
    outputs: {
      results: {
        type: {
          $case: "structuredDatasetType",
          value: { columns: [], format: "", externalSchemaType: "", externalSchemaBytes: Buffer.alloc(0) },
        },
      },
    },
    ...more,
    type: CATEGORY.name,
    custom: { ProjectID: "flyte-test", Location: "europe-west3", Domain: "development", ...custom },
  });
}

const INPUTS = () => toLiteralMap({ id: 9007199254740993n, day: new Date("2024-02-29T12:34:56.789Z") });

async function rpcError(promise: Promise<unknown>): Promise<RpcError> {
  try {
    await promise;
  } catch (err) {
    return err as RpcError;
  }
  throw new Error("the call succeeded");
}

test("CreateTask -> GetTask -> SUCCEEDED returns the destination table as a bq:// structured dataset", async () => {
  const run = await client.runTask({ template: template(), inputs: INPUTS(), pollIntervalMs: 5 });

  expect(run.timeline.map((t) => t.phaseName)).toEqual(["INITIALIZING", "RUNNING", "SUCCEEDED"]);
  const [job] = fake.jobs.values();
  const outputs = fromLiteralMap(run.resource.outputs);
  expect(outputs.results).toBeInstanceOf(StructuredDatasetRef);
  expect((outputs.results as StructuredDatasetRef).uri).toBe(`bq://flyte-test:_anon_dataset.anon_${job!.jobId.slice(-12)}`);
  expect(run.resource.logLinks).toEqual([
    expect.objectContaining({
      name: "BigQuery Console",
      uri: `https://console.cloud.google.com/bigquery?project=flyte-test&j=bq:europe-west3:${job!.jobId}&page=queryresults`,
    }),
  ]);
  // Every jobs.get asked in the job's location, with the caller's token and the Flyte domain in the user agent.
  for (const req of fake.requests("get")) {
    expect(req.query.location).toBe("europe-west3");
    expect(req.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(req.headers["user-agent"]).toContain("flyte-domain development");
  }
  expect(fake.requests("get").length).toBe(run.getTaskCalls);
});

test("every input reaches jobs.insert as a named parameter of the right type", async () => {
  const inputs = toLiteralMap({
    id: 9007199254740993n,
    ratio: 0.25,
    name: "O'Brien",
    flag: true,
    blob: new Uint8Array([0, 1, 254, 255]),
    day: new Date("2024-02-29T12:34:56.789Z"),
    ids: [1n, -2n, 9223372036854775807n],
    missing: null,
  });
  const declared = taskTemplate({
    type: CATEGORY.name,
    sql: "SELECT 1",
    inputs: {
      id: "integer",
      ratio: "float",
      name: "string",
      flag: "boolean",
      blob: "binary",
      day: "datetime",
      ids: { type: { $case: "collectionType", value: { type: { $case: "simple", value: flyteidl.core.SimpleType.INTEGER } } } },
      missing: {
        type: {
          $case: "unionType",
          value: {
            variants: [
              { type: { $case: "simple", value: flyteidl.core.SimpleType.STRING } },
              { type: { $case: "simple", value: flyteidl.core.SimpleType.NONE } },
            ],
          },
        },
      },
    },
    custom: { ProjectID: "flyte-test", Location: "US" },
  });
  await client.createTask({ template: declared, inputs });

  const [insert] = fake.requests("insert");
  const query = (insert!.body as { configuration: { query: Record<string, unknown> } }).configuration.query;
  expect(query.parameterMode).toBe("NAMED");
  expect(query.useLegacySql).toBe(false);
  expect(query.queryParameters).toEqual([
    { name: "id", parameterType: { type: "INT64" }, parameterValue: { value: "9007199254740993" } },
    { name: "ratio", parameterType: { type: "FLOAT64" }, parameterValue: { value: "0.25" } },
    { name: "name", parameterType: { type: "STRING" }, parameterValue: { value: "O'Brien" } },
    { name: "flag", parameterType: { type: "BOOL" }, parameterValue: { value: "true" } },
    { name: "blob", parameterType: { type: "BYTES" }, parameterValue: { value: "AAH+/w==" } },
    { name: "day", parameterType: { type: "TIMESTAMP" }, parameterValue: { value: "2024-02-29T12:34:56.789000Z" } },
    {
      name: "ids",
      parameterType: { type: "ARRAY", arrayType: { type: "INT64" } },
      parameterValue: { arrayValues: [{ value: "1" }, { value: "-2" }, { value: "9223372036854775807" }] },
    },
    { name: "missing", parameterType: { type: "STRING" }, parameterValue: {} },
  ]);
});

test("the query job configuration the template carries is honoured", async () => {
  const custom = {
    destinationTable: { datasetId: "reports", tableId: "daily" },
    writeDisposition: "WRITE_TRUNCATE",
    createDisposition: "CREATE_IF_NEEDED",
    maximumBytesBilled: "1000000000",
    priority: "batch",
    labels: { team: "data" },
    jobTimeoutMs: 60000,
  };
  const run = await client.runTask({ template: template(custom), inputs: INPUTS(), pollIntervalMs: 5 });

  const body = fake.requests("insert")[0]!.body as {
    jobReference: Record<string, string>;
    configuration: Record<string, unknown>;
  };
  expect(body.jobReference).toEqual(expect.objectContaining({ projectId: "flyte-test", location: "europe-west3" }));
  expect(body.configuration).toEqual(expect.objectContaining({ labels: { team: "data" }, jobTimeoutMs: "60000" }));
  expect(body.configuration.query).toEqual(
    expect.objectContaining({
      query: "SELECT * FROM `p.d.t` WHERE id = @id AND day = @day",
      destinationTable: { projectId: "flyte-test", datasetId: "reports", tableId: "daily" },
      writeDisposition: "WRITE_TRUNCATE",
      createDisposition: "CREATE_IF_NEEDED",
      maximumBytesBilled: "1000000000",
      priority: "BATCH",
    }),
  );
  expect((fromLiteralMap(run.resource.outputs).results as StructuredDatasetRef).uri).toBe("bq://flyte-test:reports.daily");
});

test("a repeated CreateTask for the same attempt inserts one job", async () => {
  const metadata = testExecutionMetadata("exec-repeat", 2);
  const first = await client.createTask({ template: template(), inputs: INPUTS(), taskExecutionMetadata: metadata });
  const second = await client.createTask({ template: template(), inputs: INPUTS(), taskExecutionMetadata: metadata });

  expect(Buffer.from(second).toString()).toBe(Buffer.from(first).toString());
  expect(fake.requests("insert")).toHaveLength(2);
  expect(fake.jobs.size).toBe(1);
  // The next attempt is a new job.
  await client.createTask({
    template: template(),
    inputs: INPUTS(),
    taskExecutionMetadata: testExecutionMetadata("exec-repeat", 3),
  });
  expect(fake.jobs.size).toBe(2);
});

test("DeleteTask cancels the job in its location, and is OK for a job that is done or unknown", async () => {
  const meta = await client.createTask({ template: template(), inputs: INPUTS() });
  await client.deleteTask(CATEGORY, meta);

  const [cancel] = fake.requests("cancel");
  expect(cancel!.query.location).toBe("europe-west3");
  const [job] = fake.jobs.values();
  expect(job!.cancelled).toBe(true);
  await client.deleteTask(CATEGORY, meta);
  fake.reset();
  await client.deleteTask(CATEGORY, meta);
  expect(fake.requests("cancel")).toHaveLength(1);
});

test("a failed job is FAILED with BigQuery's message", async () => {
  fake.scriptFor = () => ({
    states: ["RUNNING", "DONE"],
    error: { reason: "invalidQuery", message: "Syntax error: Unexpected keyword FROM at [1:8]" },
  });
  const run = await client.runTask({ template: template(), inputs: INPUTS(), pollIntervalMs: 5 });

  expect(run.phase).toBe(Phase.FAILED);
  expect(run.resource.message).toBe("Syntax error: Unexpected keyword FROM at [1:8] (reason: invalidQuery)");
  expect(run.resource.outputs).toBeUndefined();
});

test("a 5xx blip on jobs.get is retried inside the call: the task does not notice", async () => {
  const meta = await client.createTask({ template: template(), inputs: INPUTS() });
  fake.failNext("get", { status: 503 });

  const resource = await client.getTask(CATEGORY, meta);

  expect(resource.phase).toBe(Phase.INITIALIZING);
  expect(fake.requests("get")).toHaveLength(2);
});

test("jobs.get failing past the retry bound is RUNNING with a message, never an RPC error", async () => {
  const meta = await client.createTask({ template: template(), inputs: INPUTS() });
  fake.failNext(
    "get",
    { status: 503 },
    { status: 500, reason: "backendError" },
    { status: 429, reason: "rateLimitExceeded", message: "Exceeded rate limits" },
  );

  const resource = await client.getTask(CATEGORY, meta);

  expect(resource.phase).toBe(Phase.RUNNING);
  expect(resource.message).toMatch(/BigQuery API unavailable \(HTTP 429: Exceeded rate limits after 3 attempts\)/);
  // Exactly the agent's 3 attempts: Google's client does not retry on its own.
  expect(fake.requests("get")).toHaveLength(3);
  // The next poll sees the job again.
  expect((await client.getTask(CATEGORY, meta)).phase).toBe(Phase.INITIALIZING);
});

test("a 429 on jobs.insert is retried; past the bound CreateTask is UNAVAILABLE", async () => {
  fake.failNext("insert", { status: 429, reason: "rateLimitExceeded" });
  await client.createTask({ template: template(), inputs: INPUTS() });
  expect(fake.requests("insert")).toHaveLength(2);
  expect(fake.jobs.size).toBe(1);

  fake.reset();
  fake.failNext("insert", { status: 500 }, { status: 502 }, { status: 503 });
  const err = await rpcError(client.createTask({ template: template(), inputs: INPUTS() }));
  expect(err.code).toBe(GrpcStatus.UNAVAILABLE);
  expect(err.details).toContain("after 3 attempts");
  expect(fake.requests("insert")).toHaveLength(3);
});

test("a retried insert whose first attempt went through still makes one job", async () => {
  // The first insert reaches BigQuery but its answer is lost as a 503: the retry gets 409.
  fake.failNext("insert", { status: 503, afterApplying: true });
  const meta = await client.createTask({ template: template(), inputs: INPUTS() });
  expect(fake.requests("insert")).toHaveLength(2);
  expect(fake.jobs.size).toBe(1);
  expect(JSON.parse(Buffer.from(meta).toString())).toEqual(expect.objectContaining({ location: "europe-west3" }));
});

test("BigQuery rejecting the job at insert is INVALID_ARGUMENT with its message", async () => {
  fake.failNext("insert", { status: 400, reason: "invalid", message: "Invalid table name: bad/table" });
  const err = await rpcError(client.createTask({ template: template(), inputs: INPUTS() }));
  expect(err.code).toBe(GrpcStatus.INVALID_ARGUMENT);
  expect(err.details).toBe("BigQuery rejected the job: Invalid table name: bad/table");
});

test("an input that cannot be a parameter is INVALID_ARGUMENT naming the input and its type", async () => {
  const tpl = taskTemplate({
    type: CATEGORY.name,
    sql: "SELECT @m",
    inputs: {
      m: { type: { $case: "mapValueType", value: { type: { $case: "simple", value: flyteidl.core.SimpleType.INTEGER } } } },
    },
    custom: { ProjectID: "flyte-test" },
  });
  const err = await rpcError(client.createTask({ template: tpl, inputs: toLiteralMap({ m: { a: 1n } }) }));
  expect(err.code).toBe(GrpcStatus.INVALID_ARGUMENT);
  expect(err.details).toContain('input "m" (map<string, integer>) cannot be a BigQuery query parameter');
  expect(fake.requests("insert")).toHaveLength(0);
});

test("a template without ProjectID or SQL is INVALID_ARGUMENT", async () => {
  const noProject = taskTemplate({ type: CATEGORY.name, sql: "SELECT 1", custom: { Location: "US" } });
  let err = await rpcError(client.createTask({ template: noProject }));
  expect(err.code).toBe(GrpcStatus.INVALID_ARGUMENT);
  expect(err.details).toContain("custom.ProjectID is required");

  const noSql = taskTemplate({ type: CATEGORY.name, custom: { ProjectID: "flyte-test" } });
  err = await rpcError(client.createTask({ template: noSql }));
  expect(err.code).toBe(GrpcStatus.INVALID_ARGUMENT);
  expect(err.details).toContain("sql.statement is empty");
});

test("a dry run succeeds with the bytes it would process and starts no job", async () => {
  const tpl = template({ dryRun: true }, { outputs: {} });
  const run = await client.runTask({ template: tpl, inputs: INPUTS(), pollIntervalMs: 5 });
  expect(run.phase).toBe(Phase.SUCCEEDED);
  expect(run.resource.message).toBe("dry run: the query would process 1234 bytes");
  expect(fake.jobs.size).toBe(0);
  expect(fake.requests("get")).toHaveLength(0);
});

test("resource_meta of another agent is INVALID_ARGUMENT", async () => {
  const err = await rpcError(client.getTask(CATEGORY, Buffer.from(JSON.stringify({ runId: 5 }))));
  expect(err.code).toBe(GrpcStatus.INVALID_ARGUMENT);
  const bad = await rpcError(
    client.getTask(CATEGORY, Buffer.from(JSON.stringify({ jobId: "../../etc", project: "flyte-test", location: "US" }))),
  );
  expect(bad.code).toBe(GrpcStatus.INVALID_ARGUMENT);
});
