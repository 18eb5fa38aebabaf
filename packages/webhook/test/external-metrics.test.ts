/** Core's external API metrics for webhook calls: ExecuteTaskSync over gRPC against a real endpoint on 127.0.0.1. */
import { AgentMetrics, phaseName } from "@flyte-agent/core";
import { startTestServer, type TestServer } from "@flyte-agent/testing";
import { WebhookAgent } from "../src";
import { startWebhookReceiver, type WebhookReceiver, webhookTemplate } from "../src/testing";

let receiver: WebhookReceiver;
let server: TestServer;
const metrics = new AgentMetrics({ defaultMetrics: false });

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  server = await startTestServer({ agents: [new WebhookAgent({ allowedHosts: ["127.0.0.1"], env: {} })] });
});
afterAll(async () => {
  await server.close();
  await receiver.close();
});

/** The value of one series of core's external API metrics for service "Webhook" (0 when absent). */
async function value(name: string, labels: Record<string, string>): Promise<number> {
  const metric = metrics.registry.getSingleMetric(name);
  if (!metric) throw new Error(`${name} is not registered`);
  const { values } = await metric.get();
  const found = values.find((v) => Object.entries({ service: "Webhook", ...labels }).every(([k, l]) => v.labels[k] === l));
  return found?.value ?? 0;
}

async function snapshot() {
  const requests = (code: string) => value("flyte_agent_external_requests_total", { code });
  return {
    ok: await requests("200"),
    unauthorized: await requests("401"),
    forbidden: await requests("403"),
    throttled: await requests("429"),
    unavailable: await requests("503"),
    noAnswer: await requests("network_error"),
    timed: await value("flyte_agent_external_request_duration_seconds", { le: "+Inf" }),
    retries:
      (await value("flyte_agent_external_retries_total", { reason: "429" })) +
      (await value("flyte_agent_external_retries_total", { reason: "5xx" })) +
      (await value("flyte_agent_external_retries_total", { reason: "network_error" })),
    gaveUp: await value("flyte_agent_external_failures_total", {}),
  };
}

test("each call is counted by status under one service label; 429, 5xx and no answer are given up (no retries)", async () => {
  const before = await snapshot();
  const call = (url: string) => server.client.executeTaskSync({ template: webhookTemplate({ url, method: "GET" }) });
  const phases: string[] = [];
  for (const status of [200, 401, 403, 429, 503]) {
    receiver.answerWith({ status, body: `answer ${status}` });
    phases.push(phaseName((await call(`${receiver.url}/hook/${status}`)).phase));
  }
  receiver.answerWith({ drop: true });
  phases.push(phaseName((await call(`${receiver.url}/hook/dropped`)).phase));
  // A destination outside the allow-list is refused before any request: not counted.
  phases.push(phaseName((await call("http://192.0.2.1/hook")).phase));

  expect(phases).toEqual(["SUCCEEDED", "FAILED", "FAILED", "RETRYABLE_FAILED", "RETRYABLE_FAILED", "RETRYABLE_FAILED", "FAILED"]);
  expect(receiver.requests).toHaveLength(6);
  expect(await snapshot()).toEqual({
    ok: before.ok + 1,
    unauthorized: before.unauthorized + 1,
    forbidden: before.forbidden + 1,
    throttled: before.throttled + 1,
    unavailable: before.unavailable + 1,
    noAnswer: before.noAnswer + 1,
    timed: before.timed + 6,
    retries: before.retries,
    gaveUp: before.gaveUp + 3,
  });
});
