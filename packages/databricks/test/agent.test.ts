import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AgentError, InvalidMetaError, Phase, TaskInputError, isAgentError } from "@flyte-agent/core";
import { DatabricksAgent, type DatabricksAgentOptions, type DatabricksRunMeta } from "../src";
import { type FakeDatabricks, startFakeDatabricks } from "../src/testing";
import { captureLogger, createContext, databricksTemplate, taskContext } from "./helpers";

const TOKEN = "dapi-agent-test-0123456789";
const cluster = { databricksConf: { new_cluster: { spark_version: "13.3.x-scala2.12", num_workers: 1 } } };

let fake: FakeDatabricks;
const agents: DatabricksAgent[] = [];

beforeEach(async () => {
  fake = await startFakeDatabricks({ token: TOKEN });
});
afterEach(async () => {
  for (const a of agents.splice(0)) a.close();
  await fake.close();
});

function agent(options: DatabricksAgentOptions = {}): DatabricksAgent {
  const a = new DatabricksAgent({
    instance: fake.url,
    env: { _FSEC_FLYTE_DATABRICKS_ACCESS_TOKEN: TOKEN },
    secrets: { dir: "/nonexistent" },
    retry: { baseDelayMs: 5, maxDelayMs: 20 },
    ...options,
  });
  agents.push(a);
  return a;
}

async function rejection(p: Promise<unknown>): Promise<AgentError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isAgentError(err)) throw new Error(`expected an AgentError, got ${String(err)}`);
  return err;
}

test("create submits one run: resource_meta holds the workspace and run id, never the token", async () => {
  const a = agent();
  const meta = await a.create(createContext(databricksTemplate(cluster)));
  expect(meta).toEqual({ instance: fake.url, runId: "9007199254741000" });
  const encoded = Buffer.from(a.metaCodec.encode(meta)).toString("utf8");
  expect(encoded).not.toContain(TOKEN);
  expect(encoded.length).toBeLessThan(200);
  const run = fake.runs.get(meta.runId)!;
  expect(run.submitted.idempotency_token).toMatch(/^[0-9a-f]{64}$/);
  expect(run.submitted.run_name).toBe("wf.spark_job (flytesnacks/development/exec-1, node n0, attempt 0)");
  expect((run.submitted.new_cluster as { spark_env_vars: object }).spark_env_vars).toMatchObject({ FLYTE_FAIL_ON_ERROR: "true" });
});

test("a repeated create for the same attempt returns the same run; the next attempt gets a new one", async () => {
  const a = agent();
  const template = databricksTemplate(cluster);
  const first = await a.create(createContext(template, { execution: "exec-7", attempt: 0 }));
  const again = await a.create(createContext(template, { execution: "exec-7", attempt: 0 }));
  const retry = await a.create(createContext(template, { execution: "exec-7", attempt: 1 }));
  expect(again).toEqual(first);
  expect(retry.runId).not.toBe(first.runId);
  expect(fake.runs.size).toBe(2);
  expect(fake.stats.submits).toBe(3);
});

test("get follows PENDING -> RUNNING -> TERMINATED/SUCCESS with the Databricks Console link", async () => {
  const a = agent();
  const meta = await a.create(createContext(databricksTemplate(cluster)));
  const phases: Phase[] = [];
  let last = await a.get(meta, taskContext());
  phases.push(last.phase);
  while (last.phase !== Phase.SUCCEEDED && phases.length < 10) {
    last = await a.get(meta, taskContext());
    phases.push(last.phase);
  }
  expect(phases).toEqual([Phase.INITIALIZING, Phase.RUNNING, Phase.SUCCEEDED]);
  const jobId = fake.runs.get(meta.runId)!.jobId;
  expect(last.logLinks).toEqual([
    { name: "Databricks Console", uri: `${fake.url}/?o=1234567890#job/${jobId}/run/${meta.runId}` },
  ]);
});

test("a failed run is FAILED with Databricks' state_message", async () => {
  const a = agent();
  const meta = await a.create(createContext(databricksTemplate(cluster)));
  fake.setStates(meta.runId, [
    { life_cycle_state: "TERMINATED", result_state: "FAILED", state_message: "Task failed: ZeroDivisionError" },
  ]);
  expect(await a.get(meta, taskContext())).toMatchObject({
    phase: Phase.FAILED,
    message: "FAILED: Task failed: ZeroDivisionError",
  });
});

test("5xx and 429 blips during get are a RUNNING reply with a message, and the next get recovers", async () => {
  const a = agent();
  const meta = await a.create(createContext(databricksTemplate(cluster)));
  fake.failNext("get", { status: 500, times: 4 });
  const blip = await a.get(meta, taskContext());
  expect(blip.phase).toBe(Phase.RUNNING);
  expect(blip.message).toMatch(/cannot read run 9007199254741000 yet: Databricks answered HTTP 500/);
  fake.failNext("get", { status: 429, retryAfter: "600" });
  const limited = await a.get(meta, taskContext());
  expect(limited.phase).toBe(Phase.RUNNING);
  expect(limited.message).toMatch(/rate limited by Databricks \(HTTP 429, retry after 600 s\)/);
  fake.failNext("get", { status: 502, times: 2 });
  expect((await a.get(meta, taskContext())).phase).toBe(Phase.INITIALIZING);
});

test("get ends FAILED on 401 and 403, and on a run the workspace does not know", async () => {
  const a = agent();
  const meta = await a.create(createContext(databricksTemplate(cluster)));
  fake.failNext("get", { status: 401 });
  expect(await a.get(meta, taskContext())).toMatchObject({
    phase: Phase.FAILED,
    message: expect.stringMatching(/rejected the access token \(HTTP 401\)/),
  });
  fake.failNext("get", { status: 403 });
  expect(await a.get(meta, taskContext())).toMatchObject({ phase: Phase.FAILED, message: expect.stringMatching(/HTTP 403/) });
  const unknown = await a.get({ instance: fake.url, runId: "5" }, taskContext());
  expect(unknown).toMatchObject({ phase: Phase.FAILED, message: expect.stringMatching(/run 5 does not exist/) });
});

test("create: 401 is UNAUTHENTICATED, 403 PERMISSION_DENIED, 5xx past the retries UNAVAILABLE, a refused body INVALID_ARGUMENT", async () => {
  const a = agent();
  const template = databricksTemplate(cluster);
  fake.failNext("submit", { status: 401 });
  expect((await rejection(a.create(createContext(template)))).code).toBe(16);
  fake.failNext("submit", { status: 403 });
  expect((await rejection(a.create(createContext(template)))).code).toBe(7);
  fake.failNext("submit", { status: 500, times: 4 });
  const unavailable = await rejection(a.create(createContext(template)));
  expect(unavailable.code).toBe(14);
  expect(unavailable.message).toMatch(/after 4 attempts/);
  fake.failNext("submit", { status: 400, body: { error_code: "INVALID_PARAMETER_VALUE", message: "Cluster size too big" } });
  const refused = await rejection(a.create(createContext(template)));
  expect(refused).toBeInstanceOf(TaskInputError);
  expect(refused.message).toBe("Databricks refused the run: HTTP 400 INVALID_PARAMETER_VALUE: Cluster size too big");
  expect(fake.runs.size).toBe(0);
});

test("a template without compute is INVALID_ARGUMENT before anything is sent", async () => {
  const a = agent();
  const err = await rejection(a.create(createContext(databricksTemplate({ databricksConf: { run_name: "x" } }))));
  expect(err.code).toBe(3);
  expect(err.message).toMatch(/has no compute/);
  expect(fake.stats.requests).toBe(0);
});

test("delete cancels the run and is OK twice, for a finished run, and for an unknown run", async () => {
  const a = agent();
  const meta = await a.create(createContext(databricksTemplate(cluster)));
  await a.delete(meta, taskContext());
  await a.delete(meta, taskContext());
  expect(fake.runs.get(meta.runId)!.cancelCalls).toBe(2);
  expect(await a.get(meta, taskContext())).toMatchObject({ phase: Phase.FAILED, message: "CANCELED: Run cancelled." });
  await a.delete({ instance: fake.url, runId: "77" }, taskContext());
  fake.failNext("cancel", { status: 400, body: { error_code: "INVALID_STATE", message: "Run is already terminated" } });
  await a.delete(meta, taskContext());
});

test("delete reports auth and availability problems as errors, so the abort is retried", async () => {
  const a = agent();
  const meta = await a.create(createContext(databricksTemplate(cluster)));
  fake.failNext("cancel", { status: 401 });
  expect((await rejection(a.delete(meta, taskContext()))).code).toBe(16);
  fake.failNext("cancel", { status: 503, times: 4 });
  expect((await rejection(a.delete(meta, taskContext()))).code).toBe(14);
});

test("the token comes from a mounted secret file, or the secret the task names (its name, not value, in resource_meta)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "dbx-secrets-"));
  try {
    writeFileSync(join(dir, "flyte_databricks_access_token"), `${TOKEN}\n`);
    writeFileSync(join(dir, "team_a_token"), `${TOKEN}\n`);
    const fromFile = agent({ secrets: { env: {}, dir } });
    const meta = await fromFile.create(createContext(databricksTemplate(cluster)));
    expect((await fromFile.get(meta, taskContext())).phase).toBe(Phase.INITIALIZING);

    const chosen = await fromFile.create(
      createContext(databricksTemplate({ ...cluster, databricksTokenSecret: "TEAM_A_TOKEN" }), { execution: "e2" }),
    );
    expect(chosen.tokenSecret).toBe("TEAM_A_TOKEN");
    rmSync(join(dir, "flyte_databricks_access_token"));
    expect((await fromFile.get(chosen, taskContext())).phase).toBe(Phase.INITIALIZING);
    const missing = await rejection(fromFile.get(meta, taskContext()));
    expect(missing.code).toBe(9);
    expect(missing.message).toBe(
      `no Databricks access token: set _FSEC_FLYTE_DATABRICKS_ACCESS_TOKEN or mount ${dir}/flyte_databricks_access_token on the agent`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a secret name that is not a plain name is refused", async () => {
  const err = await rejection(
    agent().create(createContext(databricksTemplate({ ...cluster, databricksTokenSecret: "../../etc/passwd" }))),
  );
  expect(err.code).toBe(3);
  expect(fake.stats.requests).toBe(0);
});

test("the workspace: the task's databricksInstance wins; none at all is INVALID_ARGUMENT; allowed hosts are enforced", async () => {
  const other = await startFakeDatabricks({ token: TOKEN });
  try {
    const meta = await agent().create(createContext(databricksTemplate({ ...cluster, databricksInstance: `${other.url}/` })));
    expect(meta.instance).toBe(other.url);
    expect(other.runs.size).toBe(1);
    expect(fake.runs.size).toBe(0);
  } finally {
    await other.close();
  }
  const none = await rejection(agent({ instance: undefined }).create(createContext(databricksTemplate(cluster))));
  expect(none.message).toMatch(/set custom\.databricksInstance in the task or FLYTE_DATABRICKS_INSTANCE on the agent/);

  const strict = agent({ allowedHosts: ["*.cloud.databricks.com"] });
  const refused = await rejection(strict.create(createContext(databricksTemplate(cluster))));
  expect(refused.code).toBe(3);
  expect(refused.message).toBe("Databricks host 127.0.0.1 is not in the agent's allowed hosts");
  await expect(strict.get({ instance: fake.url, runId: "1" }, taskContext())).rejects.toThrow(/not in the agent's allowed hosts/);
  expect(fake.stats.requests).toBe(0);
});

test("resource_meta of another agent or with a forged run id is INVALID_ARGUMENT", () => {
  const a = agent();
  const decode = (v: unknown) => a.metaCodec.decode(Buffer.from(JSON.stringify(v)));
  expect(() => decode({ jobId: "x" })).toThrow(InvalidMetaError);
  expect(() => decode({ instance: fake.url, runId: "1&run_id=2" })).toThrow(/decimal run id/);
  expect(() => decode({ instance: "ftp://host", runId: "1" })).toThrow(/http or https/);
  expect(() => decode({ instance: fake.url, runId: "1", tokenSecret: "../x" })).toThrow(InvalidMetaError);
  const ok: DatabricksRunMeta = { instance: fake.url, runId: "12", tokenSecret: "TEAM" };
  expect(decode(ok)).toEqual(ok);
});

test("the token never appears in logs, messages or errors, whatever happens", async () => {
  const log = captureLogger();
  const a = agent();
  const texts: string[] = [];
  const meta = await a.create(createContext(databricksTemplate(cluster), { log }));
  fake.failNext("get", { status: 500, times: 4 });
  texts.push((await a.get(meta, taskContext({ log }))).message ?? "");
  fake.failNext("get", { status: 401 });
  texts.push((await a.get(meta, taskContext({ log }))).message ?? "");
  fake.failNext("submit", { status: 401 });
  texts.push((await rejection(a.create(createContext(databricksTemplate(cluster), { log, execution: "e3" })))).message);
  await a.delete(meta, taskContext({ log }));
  expect(log.lines.length).toBeGreaterThan(0);
  for (const text of [...log.lines, ...texts]) expect(text).not.toContain(TOKEN);
});

test("withTaskType serves another category through the same connection pool", async () => {
  const databricks = agent();
  const spark = databricks.withTaskType("spark");
  expect(spark.category).toEqual({ name: "spark", version: 0 });
  expect(spark.name).toBe(databricks.name);
  const m1 = await databricks.create(createContext(databricksTemplate(cluster), { execution: "a" }));
  const m2 = await spark.create(createContext(databricksTemplate(cluster, { type: "spark" }), { execution: "b" }));
  await databricks.get(m2, taskContext());
  await spark.get(m1, taskContext());
  expect(fake.stats.connections).toBe(1);
});

test("bad options are refused at construction", () => {
  expect(() => new DatabricksAgent({ requestTimeoutMs: 0 })).toThrow(RangeError);
  expect(() => new DatabricksAgent({ retry: { maxAttempts: 0 } })).toThrow(RangeError);
  expect(() => new DatabricksAgent({ tokenSecret: "a/b" })).toThrow(TaskInputError);
});
