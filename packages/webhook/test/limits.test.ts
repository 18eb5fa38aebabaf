/**
 * The bounds of one webhook call over gRPC: the response body cap at the limit, timeout_sec,
 * the agent's cap on it and the call's deadline, and network failures (retryable).
 */
import { createServer } from "node:net";
import { phaseName } from "@flyte-agent/core";
import { startTestServer, type TestServer } from "@flyte-agent/testing";
import { WebhookAgent } from "../src";
import { startWebhookReceiver, type WebhookReceiver, webhookTemplate } from "../src/testing";
import { infoOf } from "./helpers";

const LIMIT = 1024;
let receiver: WebhookReceiver;
let server: TestServer;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  server = await startTestServer({
    agents: [new WebhookAgent({ env: {}, allowedHosts: ["127.0.0.1"], maxResponseBytes: LIMIT, maxTimeoutSec: 2 })],
    client: { timeouts: { ExecuteTaskSync: 1_500 } },
  });
});
afterAll(async () => {
  await server.close();
  await receiver.close();
});

const call = (custom: Parameters<typeof webhookTemplate>[0]) =>
  server.client.executeTaskSync({ template: webhookTemplate({ method: "GET", url: `${receiver.url}/h`, ...custom }) });

test.each([false, true])("a body of exactly the limit is read whole (chunked: %s)", async (chunked) => {
  receiver.answerWith({ body: "x".repeat(LIMIT), chunked });
  const resource = await call({});
  expect(phaseName(resource.phase)).toBe("SUCCEEDED");
  expect(infoOf(resource)).toEqual({ status_code: 200, response_data: "x".repeat(LIMIT) });
});

test.each([false, true])("one byte over the limit fails the task for good (chunked: %s)", async (chunked) => {
  receiver.answerWith({ body: "x".repeat(LIMIT + 1), chunked });
  const resource = await call({});
  expect([phaseName(resource.phase), resource.message]).toEqual([
    "FAILED",
    `the response of ${new URL(receiver.url).host} (HTTP 200) is larger than the limit of ${LIMIT} bytes`,
  ]);
});

test("timeout_sec bounds the request: a slower answer is a retryable failure naming the timeout", async () => {
  receiver.answerWith({ delayMs: 600 });
  const resource = await call({ timeout_sec: 0.2 });
  expect([phaseName(resource.phase), resource.message]).toEqual([
    "RETRYABLE_FAILED",
    `no answer from ${new URL(receiver.url).host} within 200 ms`,
  ]);
  receiver.answerWith({ delayMs: 100 });
  expect(phaseName((await call({ timeout_sec: 1 })).phase)).toBe("SUCCEEDED");
});

test("the agent's cap on timeout_sec and the call's deadline both bound it; the reply comes before the deadline", async () => {
  receiver.answerWith({ delayMs: 5_000 });
  const started = Date.now();
  const resource = await call({ timeout_sec: 30 });
  const took = Date.now() - started;
  expect(phaseName(resource.phase)).toBe("RETRYABLE_FAILED");
  // ExecuteTaskSync's deadline is 1.5 s, less than the cap (2 s): the deadline wins, with a margin to answer.
  expect(resource.message).toMatch(/^no answer from .* within 1\d{3} ms \(the call's deadline; timeout_sec asked 30 s\)$/);
  expect(took).toBeLessThan(1_500);
});

test("the agent's cap on timeout_sec applies when the call's deadline is further away", async () => {
  const capped = await startTestServer({
    agents: [new WebhookAgent({ env: {}, allowedHosts: ["127.0.0.1"], maxTimeoutSec: 0.3 })],
  });
  try {
    receiver.answerWith({ delayMs: 2_000 });
    const resource = await capped.client.executeTaskSync({
      template: webhookTemplate({ method: "GET", url: `${receiver.url}/h`, timeout_sec: 30 }),
    });
    expect([phaseName(resource.phase), resource.message]).toEqual([
      "RETRYABLE_FAILED",
      `no answer from ${new URL(receiver.url).host} within 300 ms`,
    ]);
  } finally {
    await capped.close();
  }
});

test("a dropped connection and a refused connection are retryable failures", async () => {
  receiver.answerWith({ drop: true });
  const dropped = await call({});
  expect(phaseName(dropped.phase)).toBe("RETRYABLE_FAILED");
  expect(dropped.message).toMatch(/socket hang up|ECONNRESET/);

  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
  const port = (closed.address() as { port: number }).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  const refused = await call({ url: `http://127.0.0.1:${port}/h` });
  expect([phaseName(refused.phase), refused.message]).toEqual(["RETRYABLE_FAILED", expect.stringContaining("(ECONNREFUSED)")]);
});

test("the agent asks propeller-config for an ExecuteTaskSync deadline of its timeout cap plus a second", () => {
  expect(new WebhookAgent({ env: {} }).minExecuteDeadlineMs).toBe(61_000);
  expect(new WebhookAgent({ env: { FLYTE_WEBHOOK_MAX_TIMEOUT_SEC: "20" } }).minExecuteDeadlineMs).toBe(21_000);
});

test("the agent refuses nonsense limits at start-up", () => {
  expect(() => new WebhookAgent({ env: { FLYTE_WEBHOOK_MAX_RESPONSE_BYTES: "lots" } })).toThrow(
    /FLYTE_WEBHOOK_MAX_RESPONSE_BYTES/,
  );
  expect(() => new WebhookAgent({ env: { FLYTE_WEBHOOK_ALLOWED_HOSTS: "https://x" } })).toThrow(/FLYTE_WEBHOOK_ALLOWED_HOSTS/);
  expect(() => new WebhookAgent({ env: { FLYTE_WEBHOOK_SECRETS: "a b" } })).toThrow(/FLYTE_WEBHOOK_SECRETS/);
});

test("a resolver that never answers is bounded by timeout_sec too", async () => {
  const hanging = await startTestServer({
    agents: [new WebhookAgent({ env: {}, resolver: () => new Promise(() => {}) })],
  });
  try {
    const resource = await hanging.client.executeTaskSync({
      template: webhookTemplate({ method: "GET", url: "http://hooks.example.test/h", timeout_sec: 0.2 }),
    });
    expect([phaseName(resource.phase), resource.message]).toEqual([
      "RETRYABLE_FAILED",
      "no answer from hooks.example.test within 200 ms (resolving its name)",
    ]);
  } finally {
    await hanging.close();
  }
});
