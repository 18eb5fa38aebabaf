import { decodeMsgpack, Phase, phaseName } from "@flyte-agent/core";
import { GrpcStatus, type RpcError, startTestServer, testExecutionMetadata } from "@flyte-agent/testing";
import { OpenAIBatchAgent } from "../src";
import { type FakeOpenAI, openAIBatchTemplate, startFakeOpenAI, stringInputs } from "../src/testing";
import { API_KEY, agentEnv, openAIPlugin } from "./helpers";

const batchType = { name: "openai-batch", version: 0 };
const ORG = "org-flyte";
let fake: FakeOpenAI;

beforeEach(async () => {
  fake = await startFakeOpenAI({
    apiKey: API_KEY,
    organizations: [ORG],
    deniedKeys: ["sk-denied-key-0000"],
    files: ["file-abc"],
  });
});
afterEach(async () => {
  await fake.close();
});

/** flytekit's BatchEndpointTask(openai_organization=ORG, config={"metadata": {...}}) */
const template = (config: { [key: string]: unknown } = { metadata: { team: "ml" } }) =>
  openAIBatchTemplate({ openai_organization: ORG, config });
const inputs = stringInputs({ input_file_id: "file-abc" });

async function rpcError(p: Promise<unknown>): Promise<RpcError> {
  try {
    await p;
  } catch (err) {
    return err as RpcError;
  }
  throw new Error("expected the call to fail");
}

test("CreateTask starts a batch and GetTask follows it to SUCCEEDED with the batch as a msgpack dict", async () => {
  const { client } = await startTestServer({ plugins: [openAIPlugin(fake.url)] });
  const meta = await client.createTask({ template: template(), inputs });
  expect(JSON.parse(Buffer.from(meta).toString("utf8"))).toEqual({ batchId: fake.batches[0]?.id, organization: ORG });

  const create = fake.requests.find((r) => r.method === "POST");
  expect(create?.authorization).toBe(`Bearer ${API_KEY}`);
  expect(create?.organization).toBe(ORG);
  expect(create?.project).toBeUndefined();
  const body = create?.body as { metadata: Record<string, string> };
  expect(body).toEqual({
    completion_window: "24h",
    endpoint: "/v1/chat/completions",
    input_file_id: "file-abc",
    metadata: { team: "ml", flyte_attempt: expect.stringMatching(/^[0-9a-f]{64}$/) },
  });

  const phases: string[] = [];
  let resource = await client.getTask(batchType, meta);
  phases.push(phaseName(resource.phase));
  while (resource.phase === Phase.RUNNING) {
    resource = await client.getTask(batchType, meta);
    phases.push(phaseName(resource.phase));
  }
  expect(phases).toEqual(["RUNNING", "RUNNING", "RUNNING", "SUCCEEDED"]);
  const result = resource.outputs?.literals.result?.value;
  const binary = result?.$case === "scalar" && result.value.value?.$case === "binary" ? result.value.value.value : undefined;
  expect(binary?.tag).toBe("msgpack");
  const batch = decodeMsgpack(binary?.value ?? new Uint8Array()) as Record<string, unknown>;
  expect(batch).toMatchObject({
    id: fake.batches[0]?.id,
    status: "completed",
    output_file_id: expect.stringMatching(/^file-out-/),
    errors: null,
  });
  expect(typeof batch.created_at).toBe("number");
});

test("a repeated CreateTask of one attempt finds its batch; the next attempt and local runs start new ones", async () => {
  const { client } = await startTestServer({ plugins: [openAIPlugin(fake.url)] });
  fake.addBatch({ metadata: { flyte_attempt: "another-attempt" } });
  const first = await client.createTask({
    template: template(),
    inputs,
    taskExecutionMetadata: testExecutionMetadata("exec-1", 0),
  });
  const again = await client.createTask({
    template: template(),
    inputs,
    taskExecutionMetadata: testExecutionMetadata("exec-1", 0),
  });
  expect(Buffer.from(again).toString()).toBe(Buffer.from(first).toString());
  expect(fake.batches).toHaveLength(2);
  expect(fake.requests.filter((r) => r.path === "/v1/batches?limit=100")).toHaveLength(2);

  const next = await client.createTask({
    template: template(),
    inputs,
    taskExecutionMetadata: testExecutionMetadata("exec-1", 1),
  });
  expect(Buffer.from(next).toString()).not.toBe(Buffer.from(first).toString());
  expect(fake.batches).toHaveLength(3);

  // A local run (no execution id): a fresh random key each time, no scan.
  const scans = fake.requests.filter((r) => r.path.startsWith("/v1/batches?")).length;
  const local = {
    template: template(),
    inputs,
    taskExecutionMetadata: { ...testExecutionMetadata(), taskExecutionId: undefined },
  };
  await client.createTask(local);
  await client.createTask(local);
  expect(fake.batches).toHaveLength(5);
  expect(fake.requests.filter((r) => r.path.startsWith("/v1/batches?")).length).toBe(scans);
  const keys = fake.batches.slice(0, 2).map((b) => b.metadata?.flyte_attempt);
  expect(keys[0]).not.toBe(keys[1]);
});

test("the key is the Flyte secret: the SDK's own OPENAI_* variables are not read", async () => {
  const saved = { ...process.env };
  Object.assign(process.env, {
    OPENAI_API_KEY: "sk-from-openai-env-9999",
    OPENAI_ORG_ID: "org-from-env",
    OPENAI_PROJECT_ID: "proj-from-env",
    OPENAI_ADMIN_KEY: "sk-admin-from-env",
    OPENAI_BASE_URL: "http://127.0.0.1:9/v1",
  });
  try {
    // The agent reads OPENAI_BASE_URL from its own env (the fake's), never process.env at call time.
    const agent = new OpenAIBatchAgent({ env: agentEnv(fake.url) });
    const { client } = await startTestServer({ agents: [agent] });
    await client.createTask({ template: openAIBatchTemplate({ config: {} }), inputs });
    for (const r of fake.requests) {
      expect(r.authorization).toBe(`Bearer ${API_KEY}`);
      expect(r.organization).toBeUndefined();
      expect(r.project).toBeUndefined();
    }
  } finally {
    process.env = saved;
  }
});

test("over Flyte 2 the connection's openai_api_key is used", async () => {
  const agent = new OpenAIBatchAgent({ env: { OPENAI_BASE_URL: fake.url } }); // no pod secret at all
  const server = await startTestServer({
    agents: [agent],
    client: { protocol: "v2", connection: { taskType: "openai-batch", secrets: { openai_api_key: API_KEY }, configs: {} } },
  });
  const meta = await server.client.createTask({ template: template(), inputs });
  const resource = await server.client.getTask(batchType, meta);
  expect(phaseName(resource.phase)).toBe("RUNNING");
  const v1 = await rpcError(server.clientFor("v1").createTask({ template: template(), inputs }));
  expect(v1.code).toBe(GrpcStatus.FAILED_PRECONDITION);
  expect(v1.details).toMatch(/no OpenAI API key: set _FSEC_FLYTE_OPENAI_API_KEY or mount \/etc\/secrets\/flyte_openai_api_key/);
});

test("401 and 403 on create are UNAUTHENTICATED / PERMISSION_DENIED naming the organization; on get FAILED", async () => {
  const wrong = await startTestServer({ agents: [new OpenAIBatchAgent({ env: agentEnv(fake.url, "sk-wrong-key-12345678") })] });
  const e401 = await rpcError(wrong.client.createTask({ template: template(), inputs }));
  expect(e401.code).toBe(GrpcStatus.UNAUTHENTICATED);
  expect(e401.details).toMatch(
    /OpenAI rejected the API key for organization "org-flyte" \(HTTP 401\).*Incorrect API key provided/,
  );
  expect(e401.details).not.toContain("sk-wrong-key-12345678");

  const denied = await startTestServer({ agents: [new OpenAIBatchAgent({ env: agentEnv(fake.url, "sk-denied-key-0000") })] });
  const e403 = await rpcError(denied.client.createTask({ template: template(), inputs }));
  expect(e403.code).toBe(GrpcStatus.PERMISSION_DENIED);
  expect(e403.details).toMatch(/may not do this in organization "org-flyte" \(HTTP 403\).*insufficient permissions/);

  const otherOrg = await startTestServer({ plugins: [openAIPlugin(fake.url)] });
  const eOrg = await rpcError(
    otherOrg.client.createTask({ template: openAIBatchTemplate({ openai_organization: "org-other", config: {} }), inputs }),
  );
  expect(eOrg.code).toBe(GrpcStatus.UNAUTHENTICATED);
  expect(eOrg.details).toMatch(/organization "org-other".*should match organization for API key/);

  const good = await startTestServer({ plugins: [openAIPlugin(fake.url)] });
  const meta = await good.client.createTask({ template: template(), inputs });
  const got = await wrong.client.getTask(batchType, meta);
  expect(phaseName(got.phase)).toBe("FAILED");
  expect(got.message).toMatch(/OpenAI rejected the API key for organization "org-flyte"/);
});

test("429 with Retry-After and 5xx are retried within the deadline; past it UNAVAILABLE on create, RETRYABLE_FAILED on get", async () => {
  const { client } = await startTestServer({ plugins: [openAIPlugin(fake.url)] });
  fake.fail({ path: "/v1/batches", method: "POST", status: 429, retryAfter: "1" });
  const started = Date.now();
  const meta = await client.createTask({ template: template(), inputs });
  expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
  expect(fake.batches).toHaveLength(1);

  fake.fail({ path: "/v1/batches", status: 503, times: 100 });
  const e = await rpcError(
    client.createTask({ template: template(), inputs, taskExecutionMetadata: testExecutionMetadata("exec-2") }),
  );
  expect(e.code).toBe(GrpcStatus.UNAVAILABLE);
  expect(e.details).toMatch(/OpenAI answered HTTP 503.*\(after 4 attempts\)/);
  const got = await client.getTask(batchType, meta);
  expect(phaseName(got.phase)).toBe("RETRYABLE_FAILED");
  expect(got.message).toMatch(/cannot read batch batch_\w+: OpenAI answered HTTP 503/);
});

test("a 429 whose Retry-After outlasts the call's deadline ends the call before the deadline", async () => {
  const { client } = await startTestServer({ plugins: [openAIPlugin(fake.url)], client: { timeouts: { CreateTask: 2000 } } });
  fake.fail({ path: "/v1/batches", status: 429, retryAfter: "3", times: 10 });
  const started = Date.now();
  const e = await rpcError(client.createTask({ template: template(), inputs }));
  expect(e.code).toBe(GrpcStatus.UNAVAILABLE);
  expect(e.details).toMatch(/rate limited by OpenAI \(HTTP 429, retry after 3 s\)/);
  expect(Date.now() - started).toBeLessThan(2000);
});

test.each([
  ["failed", /^invalid_json_line: Input file has invalid JSONL \(line 1\)$/],
  ["expired", /^batch batch_\w+ is expired$/],
  ["cancelled", /^batch batch_\w+ is cancelled$/],
])("a %s batch is FAILED with its first error or its status", async (status, message) => {
  const { client } = await startTestServer({ plugins: [openAIPlugin(fake.url)] });
  const meta = await client.createTask({ template: template(), inputs });
  fake.setStatus(fake.batches[0]?.id ?? "", status);
  const got = await client.getTask(batchType, meta);
  expect(phaseName(got.phase)).toBe("FAILED");
  expect(got.message).toMatch(message);
});

test("DeleteTask cancels the batch; one that is over or gone is fine", async () => {
  const { client } = await startTestServer({ plugins: [openAIPlugin(fake.url)] });
  const meta = await client.createTask({ template: template(), inputs });
  await client.deleteTask(batchType, meta);
  expect(fake.batches[0]?.status).toBe("cancelling");
  expect(fake.requests.at(-1)?.path).toMatch(/^\/v1\/batches\/batch_\w+\/cancel$/);
  await client.deleteTask(batchType, meta); // already cancelling: 409, fine
  await client.deleteTask(batchType, Buffer.from(JSON.stringify({ batchId: "batch_unknown", organization: ORG }))); // 404, fine
  const bad = await rpcError(client.deleteTask(batchType, Buffer.from(JSON.stringify({ batchId: "../files" }))));
  expect(bad.code).toBe(GrpcStatus.INVALID_ARGUMENT);
});

test("task input mistakes are INVALID_ARGUMENT saying what is wrong, at OpenAI's metadata limits", async () => {
  const { client } = await startTestServer({ plugins: [openAIPlugin(fake.url)] });
  const metadata = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, "v"]));
  await expect(client.createTask({ template: template({ metadata: metadata(15) }), inputs })).resolves.toBeDefined();
  const full = await rpcError(client.createTask({ template: template({ metadata: metadata(16) }), inputs }));
  expect(full.code).toBe(GrpcStatus.INVALID_ARGUMENT);
  expect(full.details).toMatch(/custom.config.metadata has 16 keys; OpenAI allows 16 and the agent adds "flyte_attempt"/);
  await expect(
    client.createTask({
      template: template({ metadata: { long: "x".repeat(512) } }),
      inputs,
      taskExecutionMetadata: testExecutionMetadata("e3"),
    }),
  ).resolves.toBeDefined();
  const long = await rpcError(client.createTask({ template: template({ metadata: { long: "x".repeat(513) } }), inputs }));
  expect(long.details).toMatch(/custom.config.metadata.long is 513 characters; OpenAI allows 512/);
  const unknown = await rpcError(
    client.createTask({ template: template({ colour: "blue" }), inputs, taskExecutionMetadata: testExecutionMetadata("e4") }),
  );
  expect(unknown.code).toBe(GrpcStatus.INVALID_ARGUMENT);
  expect(unknown.details).toMatch(/OpenAI refused the batch \(HTTP 400\): Unrecognized request argument supplied: colour/);
  const noInput = await rpcError(client.createTask({ template: template(), inputs: stringInputs({}) }));
  expect(noInput.details).toMatch(/the task has no input "input_file_id"/);
});

test("the SDK is loaded on first use, not when the plugin loads", async () => {
  const { readFileSync, readdirSync } = await import("node:fs");
  const { join } = await import("node:path");
  const dist = join(__dirname, "..", "dist");
  const statics = readdirSync(dist).filter(
    (f) => f.endsWith(".js") && /require\("openai"\)|from "openai"/.test(readFileSync(join(dist, f), "utf8")),
  );
  expect(statics).toEqual([]);
  expect(readFileSync(join(dist, "openai-client.js"), "utf8")).toMatch(/import\("openai"\)/);
});

test("resource_meta holds the batch and organization, never the key", async () => {
  const { client } = await startTestServer({ plugins: [openAIPlugin(fake.url)] });
  const meta = Buffer.from(await client.createTask({ template: template(), inputs })).toString();
  expect(meta).not.toContain(API_KEY);
  expect(Object.keys(JSON.parse(meta)).sort()).toEqual(["batchId", "organization"]);
});

test("a template whose result is an unannotated STRUCT gets the older generic Struct", async () => {
  const { client } = await startTestServer({ plugins: [openAIPlugin(fake.url)] });
  const legacy = template();
  const result = legacy.interface?.outputs?.variables.result;
  if (result) result.type = { type: { $case: "simple", value: 9 /* STRUCT */ } };
  const meta = await client.createTask({ template: legacy, inputs });
  expect(JSON.parse(Buffer.from(meta).toString()).resultFormat).toBe("generic");
  const got = await client.getTask(batchType, meta);
  const value = got.outputs?.literals.result?.value;
  expect(value?.$case === "scalar" && value.value.value?.$case).toBe("generic");
});
