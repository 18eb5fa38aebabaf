import { AgentMetrics, toLiteralMap } from "@flyte-agent/core";
import { type PropellerClient, startTestServer, taskTemplate } from "@flyte-agent/testing";
import { BigQueryAgent } from "../src";
import { FakeBigQuery } from "../src/testing";

const CATEGORY = { name: "bigquery_query_job_task", version: 0 };
const TOKEN = "ya29.test-access-token-0002";
let fake: FakeBigQuery;
let client: PropellerClient;
const metrics = new AgentMetrics({ defaultMetrics: false });

beforeAll(async () => {
  fake = await FakeBigQuery.start({ accessToken: TOKEN });
  const agent = new BigQueryAgent({
    apiEndpoint: fake.url,
    accessToken: () => TOKEN,
    retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 },
  });
  ({ client } = await startTestServer({ agents: [agent] }));
});
afterAll(() => fake.close());

/** The value of one series of core's external API metrics for service "BigQuery" (0 when absent). */
async function value(name: string, labels: Record<string, string>): Promise<number> {
  const metric = metrics.registry.getSingleMetric(name);
  if (!metric) throw new Error(`${name} is not registered`);
  const { values } = await metric.get();
  const found = values.find((v) => Object.entries({ service: "BigQuery", ...labels }).every(([k, l]) => v.labels[k] === l));
  return found?.value ?? 0;
}

const template = () =>
  taskTemplate({
    type: CATEGORY.name,
    sql: "SELECT 1",
    custom: { ProjectID: "flyte-test", Location: "europe-west3", Domain: "development" },
  });

test("every attempt of Google's client is counted: answers by status, retries by reason, requests given up", async () => {
  const before = {
    ok: await value("flyte_agent_external_requests_total", { code: "200" }),
    tooMany: await value("flyte_agent_external_requests_total", { code: "429" }),
    forbidden: await value("flyte_agent_external_requests_total", { code: "403" }),
    throttled: await value("flyte_agent_external_throttled_total", {}),
    failed: await value("flyte_agent_external_requests_total", { code: "500" }),
    retry429: await value("flyte_agent_external_retries_total", { reason: "429" }),
    retry5xx: await value("flyte_agent_external_retries_total", { reason: "5xx" }),
    gaveUp: await value("flyte_agent_external_failures_total", {}),
  };
  fake.failNext("insert", { status: 429, reason: "rateLimitExceeded" });
  await client.createTask({ template: template(), inputs: toLiteralMap({}) });
  // BigQuery also refuses for rate with 403 rateLimitExceeded: throttled, and retried as such.
  fake.failNext("insert", { status: 403, reason: "rateLimitExceeded" });
  await client.createTask({ template: template(), inputs: toLiteralMap({}) });
  fake.failNext("insert", { status: 500 }, { status: 500 }, { status: 500 });
  await expect(client.createTask({ template: template(), inputs: toLiteralMap({}) })).rejects.toMatchObject({ code: 14 });

  expect(await value("flyte_agent_external_requests_total", { code: "429" })).toBe(before.tooMany + 1);
  expect(await value("flyte_agent_external_requests_total", { code: "403" })).toBe(before.forbidden + 1);
  expect(await value("flyte_agent_external_throttled_total", {})).toBe(before.throttled + 2);
  expect(await value("flyte_agent_external_requests_total", { code: "200" })).toBe(before.ok + 2);
  expect(await value("flyte_agent_external_requests_total", { code: "500" })).toBe(before.failed + 3);
  expect(await value("flyte_agent_external_retries_total", { reason: "429" })).toBe(before.retry429 + 2);
  expect(await value("flyte_agent_external_retries_total", { reason: "5xx" })).toBe(before.retry5xx + 2);
  expect(await value("flyte_agent_external_failures_total", {})).toBe(before.gaveUp + 1);
});
