/** Core's external API metrics for the SDK's requests (through core's retryHttp): ChatGPT over gRPC against the fake. */
import { AgentMetrics, phaseName } from "@flyte-agent/core";
import { startTestServer, type TestServer } from "@flyte-agent/testing";
import { chatGPTTemplate, type FakeOpenAI, startFakeOpenAI, stringInputs } from "../src/testing";
import { API_KEY, openAIPlugin } from "./helpers";

const ORG = "org-flyte";
let fake: FakeOpenAI;
let server: TestServer;
const metrics = new AgentMetrics({ defaultMetrics: false });

beforeAll(async () => {
  fake = await startFakeOpenAI({ apiKey: API_KEY, organizations: [ORG] });
  server = await startTestServer({
    plugins: [openAIPlugin(fake.url, { retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 } })],
  });
});
afterAll(async () => {
  await server.close();
  await fake.close();
});

/** The value of one series of core's external API metrics for service "OpenAI" (0 when absent). */
async function value(name: string, labels: Record<string, string>): Promise<number> {
  const metric = metrics.registry.getSingleMetric(name);
  if (!metric) throw new Error(`${name} is not registered`);
  const { values } = await metric.get();
  const found = values.find((v) => Object.entries({ service: "OpenAI", ...labels }).every(([k, l]) => v.labels[k] === l));
  return found?.value ?? 0;
}

async function snapshot() {
  const requests = (code: string) => value("flyte_agent_external_requests_total", { code });
  const retries = (reason: string) => value("flyte_agent_external_retries_total", { reason });
  return {
    ok: await requests("200"),
    unauthorized: await requests("401"),
    throttled: await requests("429"),
    failed: await requests("500"),
    noAnswer: await requests("network_error"),
    timed: await value("flyte_agent_external_request_duration_seconds", { le: "+Inf" }),
    retry429: await retries("429"),
    retry5xx: await retries("5xx"),
    retryNetwork: await retries("network_error"),
    gaveUp: await value("flyte_agent_external_failures_total", {}),
  };
}

/** flytekit's ChatGPTTask for an organization, asking `text`. */
const chat = (organization: string, text: string) =>
  server.client
    .executeTaskSync({
      template: chatGPTTemplate({
        openai_organization: organization,
        chatgpt_config: { model: "gpt-4o-mini", temperature: 0.7, max_tokens: 100.0 },
      }),
      inputs: stringInputs({ message: text }),
    })
    .then(
      (resource) => phaseName(resource.phase),
      (err: { code?: number }) => `error ${err.code}`,
    );

test("every attempt is counted: answers by status, retries by reason, requests given up", async () => {
  const before = await snapshot();
  const path = "/v1/chat/completions";

  // 429, then 500, then the answer.
  fake.fail({ path, status: 429 });
  fake.fail({ path, status: 500 });
  const throttled = await chat(ORG, "one");
  // A dropped connection, then the answer.
  fake.fail({ path, drop: true });
  const dropped = await chat(ORG, "two");
  // 500 on all 3 attempts: given up.
  fake.fail({ path, status: 500, times: 3 });
  const gaveUp = await chat(ORG, "three");
  // An organization the key does not belong to: 401, not retried.
  const refused = await chat("org-other", "four");

  expect([throttled, dropped]).toEqual(["SUCCEEDED", "SUCCEEDED"]);
  expect([gaveUp, refused]).not.toContain("SUCCEEDED");
  expect(fake.requests.filter((r) => r.path === path)).toHaveLength(9);
  expect(await snapshot()).toEqual({
    ok: before.ok + 2,
    unauthorized: before.unauthorized + 1,
    throttled: before.throttled + 1,
    failed: before.failed + 4,
    noAnswer: before.noAnswer + 1,
    timed: before.timed + 9,
    retry429: before.retry429 + 1,
    retry5xx: before.retry5xx + 3,
    retryNetwork: before.retryNetwork + 1,
    gaveUp: before.gaveUp + 1,
  });
});
