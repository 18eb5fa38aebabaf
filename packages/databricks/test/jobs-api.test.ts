import { type FakeDatabricks, startFakeDatabricks } from "../src/testing";
import { type JobsApiCall, JobsApiClient } from "../src/jobs-api";
import { retryPolicy } from "@flyte-agent/core";
import { captureLogger } from "./helpers";

const body = { new_cluster: { num_workers: 1 }, spark_python_task: { python_file: "x.py" } };

let fake: FakeDatabricks;
let client: JobsApiClient;

beforeEach(async () => {
  fake = await startFakeDatabricks();
  client = new JobsApiClient({
    requestTimeoutMs: 2_000,
    maxSockets: 16,
    retry: retryPolicy({ maxAttempts: 4, baseDelayMs: 5, maxDelayMs: 20 }),
  });
});
afterEach(async () => {
  client.close();
  await fake.close();
});

const call = (overrides: Partial<JobsApiCall> = {}): JobsApiCall => ({
  baseUrl: fake.url,
  token: fake.token,
  signal: new AbortController().signal,
  log: captureLogger(),
  ...overrides,
});

test("submit, get and cancel over real HTTP; run ids above 2^53 stay exact", async () => {
  const submitted = await client.submitRun(call(), { ...body, idempotency_token: "t1" });
  expect(submitted).toEqual({ kind: "ok", value: { runId: "9007199254741000" } });
  const got = await client.getRun(call(), "9007199254741000");
  expect(got.kind).toBe("ok");
  if (got.kind !== "ok") return;
  expect(got.value.runId).toBe("9007199254741000");
  expect(got.value.state?.life_cycle_state).toBe("PENDING");
  expect(got.value.jobId).toBe(fake.runs.get("9007199254741000")?.jobId);
  expect(await client.cancelRun(call(), "9007199254741000")).toEqual({ kind: "ok", value: {} });
  expect(fake.runs.get("9007199254741000")?.cancelCalls).toBe(1);
});

test("the idempotency token makes a repeated submit return the same run", async () => {
  const a = await client.submitRun(call(), { ...body, idempotency_token: "same" });
  const b = await client.submitRun(call(), { ...body, idempotency_token: "same" });
  const c = await client.submitRun(call(), { ...body, idempotency_token: "other" });
  expect(a).toEqual(b);
  expect(c).not.toEqual(a);
  expect(fake.runs.size).toBe(2);
});

test("429 waits for Retry-After, then succeeds", async () => {
  fake.failNext("get", { status: 429, retryAfter: "1" });
  const run = await client.submitRun(call(), { ...body, idempotency_token: "t" });
  if (run.kind !== "ok") throw new Error("submit failed");
  const started = Date.now();
  const got = await client.getRun(call(), run.value.runId);
  expect(got.kind).toBe("ok");
  expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  expect(fake.stats.gets).toBe(1);
});

test("a Retry-After longer than the bound ends the call at once as unavailable", async () => {
  fake.failNext("get", { status: 429, retryAfter: "120" });
  const started = Date.now();
  const got = await client.getRun(call(), "1");
  expect(got).toEqual({ kind: "unavailable", attempts: 1, message: expect.stringContaining("retry after 120 s") });
  expect(fake.stats.requests).toBe(1);
  expect(Date.now() - started).toBeLessThan(5_000); // waiting even for the 5 s bound would take longer
});

test("5xx and dropped connections are retried; past the attempts they are reported as unavailable", async () => {
  fake.failNext("submit", { status: 503 });
  fake.failNext("submit", { drop: true });
  const ok = await client.submitRun(call(), { ...body, idempotency_token: "retry" });
  expect(ok.kind).toBe("ok");
  expect(fake.runs.size).toBe(1);

  fake.failNext("get", { status: 500, times: 4 });
  const failed = await client.getRun(call(), "1");
  expect(failed).toEqual({ kind: "unavailable", attempts: 4, message: expect.stringContaining("HTTP 500 INTERNAL_ERROR") });
});

test("401 and 403 are auth failures, an unknown run is not_found, other 4xx are rejected; none is retried", async () => {
  expect(await client.getRun(call({ token: "wrong" }), "1")).toMatchObject({ kind: "auth", status: 401 });
  fake.failNext("cancel", { status: 403, body: { error_code: "PERMISSION_DENIED", message: "no" } });
  expect(await client.cancelRun(call(), "1")).toMatchObject({ kind: "auth", status: 403 });
  expect(await client.getRun(call(), "42")).toMatchObject({ kind: "not_found", status: 400 });
  expect(await client.submitRun(call(), { run_name: "no compute" })).toMatchObject({
    kind: "rejected",
    status: 400,
    errorCode: "INVALID_PARAMETER_VALUE",
  });
  expect(fake.stats.requests).toBe(4);
});

test("retries stop before the caller's deadline", async () => {
  fake.failNext("get", { status: 500, times: 100 });
  const slow = new JobsApiClient({
    requestTimeoutMs: 2_000,
    maxSockets: 4,
    retry: retryPolicy({ maxAttempts: 100, baseDelayMs: 100, maxDelayMs: 100 }),
  });
  try {
    // With 5 s left the client keeps 1 s back to answer in: a busy machine has that much slack.
    const started = Date.now();
    const got = await slow.getRun(call({ deadline: new Date(Date.now() + 5_000) }), "1");
    if (got.kind !== "unavailable") throw new Error(`expected unavailable, got ${got.kind}`);
    expect(got.attempts).toBeGreaterThan(1);
    expect(Date.now() - started).toBeLessThan(5_000);
  } finally {
    slow.close();
  }
});

test("the caller's AbortSignal stops a request in flight", async () => {
  await fake.close();
  fake = await startFakeDatabricks({ latencyMs: 5_000 });
  const controller = new AbortController();
  const reason = new Error("rpc cancelled");
  const pending = client.getRun(call({ signal: controller.signal }), "1");
  // Abort once the request has reached the server.
  while (fake.stats.requests === 0) await new Promise((r) => setImmediate(r));
  controller.abort(reason);
  await expect(pending).rejects.toBe(reason);
});

test("a request that gets no answer in time is a timeout, reported as unavailable", async () => {
  await fake.close();
  fake = await startFakeDatabricks({ latencyMs: 3_000 });
  const quick = new JobsApiClient({
    requestTimeoutMs: 200,
    maxSockets: 4,
    retry: retryPolicy({ maxAttempts: 2, baseDelayMs: 5 }),
  });
  try {
    const got = await quick.getRun(call(), "1");
    expect(got).toEqual({
      kind: "unavailable",
      attempts: 2,
      message: expect.stringContaining("no answer from Databricks within 200 ms"),
    });
  } finally {
    quick.close();
  }
});

test("keep-alive: 200 requests in waves of 10 use at most 10 connections", async () => {
  const run = await client.submitRun(call(), { ...body, idempotency_token: "ka" });
  if (run.kind !== "ok") throw new Error("submit failed");
  for (let wave = 0; wave < 20; wave++) {
    const results = await Promise.all(Array.from({ length: 10 }, () => client.getRun(call(), run.value.runId)));
    for (const r of results) expect(r.kind).toBe("ok");
  }
  expect(fake.stats.gets).toBe(200);
  expect(fake.stats.connections).toBeLessThanOrEqual(10);
});

test("the token travels only in the Authorization header and is never logged", async () => {
  const log = captureLogger();
  fake.failNext("get", { status: 500 });
  await client.submitRun(call({ log }), { ...body, idempotency_token: "log" });
  await client.getRun(call({ log }), "9007199254741000");
  await client.getRun(call({ log, token: "wrong-token-value" }), "9007199254741000");
  expect(log.lines.length).toBeGreaterThan(0);
  for (const line of log.lines) {
    expect(line).not.toContain(fake.token);
    expect(line).not.toContain("wrong-token-value");
  }
});
