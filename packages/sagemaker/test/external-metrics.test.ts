/** Core's external API metrics for the SDK's requests: boto over gRPC against the fake's scripted faults. */
import { AgentMetrics, phaseName } from "@flyte-agent/core";
import { startTestServer } from "@flyte-agent/testing";
import { BotoAgent } from "../src";
import { type FakeSageMaker, startFakeSageMaker } from "../src/testing";
import { botoTemplate, fakeOptions, inputLiterals } from "./helpers";

let fake: FakeSageMaker;
let agent: BotoAgent;
const metrics = new AgentMetrics({ defaultMetrics: false });

beforeAll(async () => {
  fake = await startFakeSageMaker({ region: "us-east-2" });
  agent = new BotoAgent(fakeOptions(fake, { maxAttempts: 3 }));
});
afterAll(async () => {
  agent.close();
  await fake.close();
});

/** The value of one series of core's external API metrics for service "SageMaker" (0 when absent). */
async function value(name: string, labels: Record<string, string>): Promise<number> {
  const metric = metrics.registry.getSingleMetric(name);
  if (!metric) throw new Error(`${name} is not registered`);
  const { values } = await metric.get();
  const found = values.find((v) => Object.entries({ service: "SageMaker", ...labels }).every(([k, l]) => v.labels[k] === l));
  return found?.value ?? 0;
}

async function snapshot() {
  return {
    ok: await value("flyte_agent_external_requests_total", { code: "200" }),
    badRequest: await value("flyte_agent_external_requests_total", { code: "400" }),
    forbidden: await value("flyte_agent_external_requests_total", { code: "403" }),
    failed: await value("flyte_agent_external_requests_total", { code: "500" }),
    unavailable: await value("flyte_agent_external_requests_total", { code: "503" }),
    noAnswer: await value("flyte_agent_external_requests_total", { code: "network_error" }),
    timed: await value("flyte_agent_external_request_duration_seconds", { le: "+Inf" }),
    throttled: await value("flyte_agent_external_throttled_total", {}),
    retry429: await value("flyte_agent_external_retries_total", { reason: "429" }),
    retry5xx: await value("flyte_agent_external_retries_total", { reason: "5xx" }),
    retryNetwork: await value("flyte_agent_external_retries_total", { reason: "network_error" }),
    gaveUp: await value("flyte_agent_external_failures_total", {}),
  };
}

/** Runs boto `create_model` for a new model name (so that the fake's answer is 200 unless a fault says otherwise). */
async function createModel(client: Awaited<ReturnType<typeof startTestServer>>["client"], name: string) {
  return client.executeTaskSync({
    template: botoTemplate(
      {
        service: "sagemaker",
        method: "create_model",
        region: "us-east-2",
        config: {
          ModelName: "{inputs.name}",
          PrimaryContainer: { Image: "123456789012.dkr.ecr.us-east-2.amazonaws.com/xgboost:1.7" },
          ExecutionRoleArn: "arn:aws:iam::123456789012:role/sagemaker-exec",
        },
      },
      { name: "string" },
    ),
    inputs: inputLiterals({ name }),
  });
}

test("every attempt of the AWS SDK is counted: answers by status, retries by reason, requests given up", async () => {
  const { client } = await startTestServer({ agents: [agent] });
  const before = await snapshot();

  // Throttled (AWS answers 400 ThrottlingException), then a 500, then dropped: the drop is the SDK's last attempt
  // (maxAttempts 3). One request, three attempts, two retries, given up.
  fake.fault({ operation: "CreateModel", code: "ThrottlingException", times: 1 });
  fake.fault({ operation: "CreateModel", status: 500, code: "InternalFailure", message: "boom", times: 1 });
  fake.fault({ operation: "CreateModel", drop: true, times: 1 });
  const gaveUp = await createModel(client, "m-1").catch((e: unknown) => e);
  expect(gaveUp).toBeDefined();

  // A dropped connection, then a 503, then the answer: three attempts, two retries, a success.
  fake.fault({ operation: "CreateModel", drop: true, times: 1 });
  fake.fault({ operation: "CreateModel", status: 503, code: "ServiceUnavailable", message: "try later", times: 1 });
  expect(phaseName((await createModel(client, "m-2")).phase)).toBe("SUCCEEDED");

  // Refused with 403: not retried, not "given up".
  fake.fault({ operation: "CreateModel", status: 403, code: "UnrecognizedClientException", message: "bad key", times: 1 });
  await createModel(client, "m-3").catch((e: unknown) => e);

  const after = await snapshot();
  expect(after).toEqual({
    ok: before.ok + 1,
    badRequest: before.badRequest + 1,
    forbidden: before.forbidden + 1,
    failed: before.failed + 1,
    unavailable: before.unavailable + 1,
    noAnswer: before.noAnswer + 2,
    timed: before.timed + 7,
    throttled: before.throttled + 1, // the 400 ThrottlingException
    retry429: before.retry429 + 1,
    retry5xx: before.retry5xx + 2,
    retryNetwork: before.retryNetwork + 1,
    gaveUp: before.gaveUp + 1,
  });
  expect(fake.calls("CreateModel")).toHaveLength(7);
});
