/** sagemaker-endpoint over gRPC (v1), against the fake through the real SDK client. */
import { Phase, StatusCode, fromLiteralMap, phaseName } from "@flyte-agent/core";
import { type CustomValue, type RpcError, startTestServer } from "@flyte-agent/testing";
import { BotoAgent, SageMakerEndpointAgent } from "../src";
import { FAKE_AWS_KEY, type FakeSageMaker, type FakeSageMakerOptions, startFakeSageMaker } from "../src/testing";
import type { SageMakerAgentOptions } from "../src/types";
import { botoTemplate, captureLogger, endpointTemplate, fakeOptions, inputLiterals } from "./helpers";

const category = { name: "sagemaker-endpoint", version: 0 };
const config = {
  EndpointName: "xgboost-endpoint-{idempotence_token}",
  EndpointConfigName: "xgboost-endpoint-config-{inputs.idempotence_token}",
};
const PREVIOUS_TOKEN = "0f1e2d3c4b5a6978";
let fake: FakeSageMaker;

async function startFake(options: FakeSageMakerOptions = {}) {
  fake = await startFakeSageMaker({ region: "us-east-2", ...options });
  return fake;
}

async function seedConfig(name = `xgboost-endpoint-config-${PREVIOUS_TOKEN}`) {
  const boto = new BotoAgent(fakeOptions(fake));
  const { client } = await startTestServer({ agents: [boto] });
  const call = (method: string, cfg: { [key: string]: CustomValue }) =>
    client.executeTaskSync({ template: botoTemplate({ service: "sagemaker", method, config: cfg, region: "us-east-2" }) });
  await call("create_model", { ModelName: "xgboost", PrimaryContainer: { Image: "img" } });
  await call("create_endpoint_config", {
    EndpointConfigName: name,
    ProductionVariants: [{ VariantName: "v1", ModelName: "xgboost", InitialInstanceCount: 1.0, InstanceType: "ml.m4.xlarge" }],
  });
  boto.close();
}

async function server(options: SageMakerAgentOptions = {}) {
  const agent = new SageMakerEndpointAgent(fakeOptions(fake, options));
  const started = await startTestServer({ agents: [agent] });
  return { ...started, agent };
}

const inputs = () => inputLiterals({ idempotence_token: PREVIOUS_TOKEN });

afterEach(async () => {
  await fake.close();
});

test("creates the endpoint with flytekit's token and polls it from Creating to InService; result is {EndpointArn} as msgpack", async () => {
  await startFake();
  await seedConfig();
  const { client, agent } = await server();
  const meta = await client.createTask({ template: endpointTemplate({ config, region: "us-east-2" }), inputs: inputs() });
  // The token of this rendered config, from the Python-made fixtures (sagemaker-endpoint case).
  const endpointName = "xgboost-endpoint-e783637e498fb360";
  expect(JSON.parse(Buffer.from(meta).toString("utf8"))).toEqual({ endpointName, region: "us-east-2" });
  expect(fake.calls("CreateEndpoint")[0]?.body).toEqual({
    EndpointName: endpointName,
    EndpointConfigName: `xgboost-endpoint-config-${PREVIOUS_TOKEN}`,
  });
  const first = await client.getTask(category, meta);
  expect(phaseName(first.phase)).toBe("RUNNING");
  const second = await client.getTask(category, meta);
  expect(phaseName(second.phase)).toBe("SUCCEEDED");
  expect(second.outputs?.literals.result?.value).toMatchObject({ $case: "scalar", value: { value: { $case: "binary" } } });
  expect(fromLiteralMap(second.outputs)).toEqual({
    result: { EndpointArn: `arn:aws:sagemaker:us-east-2:123456789012:endpoint/${endpointName}` },
  });
  agent.close();
});

test("a repeated CreateTask finds the endpoint already existing and waits for the same one", async () => {
  await startFake();
  await seedConfig();
  const { client, agent } = await server();
  const template = endpointTemplate({ config, region: "us-east-2" });
  const a = await client.createTask({ template, inputs: inputs() });
  const b = await client.createTask({ template, inputs: inputs() });
  expect(Buffer.from(b).toString()).toBe(Buffer.from(a).toString());
  expect(fake.calls("CreateEndpoint").map((r) => r.errorCode ?? r.status)).toEqual([200, "ValidationException"]);
  expect(fake.endpoints.size).toBe(1);
  agent.close();
});

test("ResourceLimitExceeded is RESOURCE_EXHAUSTED with AWS's message (flytekit waits for an endpoint that never comes)", async () => {
  await startFake({ instanceQuota: 0 });
  await seedConfig();
  const { client, agent } = await server();
  const error = (await client
    .createTask({ template: endpointTemplate({ config, region: "us-east-2" }), inputs: inputs() })
    .catch((e: unknown) => e)) as RpcError;
  expect(error.code).toBe(StatusCode.RESOURCE_EXHAUSTED);
  expect(error.details).toMatch(
    /^CreateEndpoint of endpoint xgboost-endpoint-e783637e498fb360 in us-east-2 failed: a service quota is exhausted: ResourceLimitExceeded: The account-level service limit .* Please use AWS Service Quotas to request an increase for this quota\./,
  );
  expect(fake.endpoints.size).toBe(0);
  agent.close();
});

test("access denied is PERMISSION_DENIED on create and FAILED from GetTask, naming the operation and the endpoint", async () => {
  await startFake({ denied: ["CreateEndpoint"] });
  await seedConfig();
  const { client, agent } = await server();
  const error = (await client
    .createTask({ template: endpointTemplate({ config, region: "us-east-2" }), inputs: inputs() })
    .catch((e: unknown) => e)) as RpcError;
  expect(error.code).toBe(StatusCode.PERMISSION_DENIED);
  expect(error.details).toContain(
    "CreateEndpoint of endpoint xgboost-endpoint-e783637e498fb360 in us-east-2 failed: access denied",
  );
  await fake.close();

  await startFake({ denied: ["DescribeEndpoint"] });
  const { client: c2, agent: a2 } = await server();
  const meta = Buffer.from(JSON.stringify({ endpointName: "xgboost-endpoint-1", region: "us-east-2" }));
  const got = await c2.getTask(category, meta);
  expect(phaseName(got.phase)).toBe("FAILED");
  expect(got.message).toMatch(
    /^DescribeEndpoint of endpoint xgboost-endpoint-1 in us-east-2 failed: access denied .*sagemaker:DescribeEndpoint/,
  );
  agent.close();
  a2.close();
});

test("an invalid config is INVALID_ARGUMENT naming the operation (unknown endpoint config, no EndpointName)", async () => {
  await startFake();
  const { client, agent } = await server();
  const error = (await client
    .createTask({ template: endpointTemplate({ config, region: "us-east-2" }), inputs: inputs() })
    .catch((e: unknown) => e)) as RpcError;
  expect(error.code).toBe(StatusCode.INVALID_ARGUMENT);
  expect(error.details).toContain(
    "CreateEndpoint of endpoint xgboost-endpoint-e783637e498fb360 in us-east-2 failed: it does not exist: ValidationException: Could not find endpoint configuration",
  );
  const noName = (await client
    .createTask({ template: endpointTemplate({ config: { EndpointConfigName: "c" }, region: "us-east-2" }) })
    .catch((e: unknown) => e)) as RpcError;
  expect(noName).toMatchObject({
    code: StatusCode.INVALID_ARGUMENT,
    details: "custom.config.EndpointName must be a non-empty string after rendering",
  });
  agent.close();
});

test("the region: an input named region wins over custom.region; none at all is INVALID_ARGUMENT", async () => {
  await startFake({ region: "eu-west-1" });
  fake.playEndpoint("e-1", [{ status: "InService" }]);
  const { client, agent } = await server();
  const template = endpointTemplate(
    { config: { EndpointName: "e-1", EndpointConfigName: "c" }, region: "us-east-2" },
    { region: "string" },
  );
  const error = (await client
    .createTask({ template, inputs: inputLiterals({ region: "eu-west-1" }) })
    .catch((e: unknown) => e)) as RpcError;
  // Signed for eu-west-1 (the fake checks the credential scope): AWS's answer is about the config, not the signature.
  expect(error.details).toContain(
    "in eu-west-1 failed: it does not exist: ValidationException: Could not find endpoint configuration",
  );
  expect(fake.calls("CreateEndpoint")[0]?.accessKeyId).toBe(FAKE_AWS_KEY.accessKeyId);
  const none = (await client
    .createTask({ template: endpointTemplate({ config: { EndpointName: "e-1", EndpointConfigName: "c" }, region: null }) })
    .catch((e: unknown) => e)) as RpcError;
  expect(none.code).toBe(StatusCode.INVALID_ARGUMENT);
  expect(none.details).toMatch(/^Region parameter is required/);
  agent.close();
  // The configured region (the agent's option, AWS_REGION by default) comes last.
  const configured = new SageMakerEndpointAgent(fakeOptions(fake, { env: { AWS_REGION: "eu-west-1" } }));
  const s2 = await startTestServer({ agents: [configured] });
  const viaEnv = (await s2.client
    .createTask({ template: endpointTemplate({ config: { EndpointName: "e-1", EndpointConfigName: "c" }, region: null }) })
    .catch((e: unknown) => e)) as RpcError;
  expect(viaEnv.details).toContain("in eu-west-1 failed: it does not exist");
  configured.close();
});

test.each([
  ["Failed", "FAILED", "endpoint e-1 failed: CannotStartContainerError: the container did not pass the ping health check"],
  ["OutOfService", "FAILED", "endpoint e-1 is OutOfService; it will not come into service on its own"],
  ["Deleting", "FAILED", "endpoint e-1 is Deleting; it will not come into service on its own"],
  ["UpdateRollbackFailed", "FAILED", "endpoint e-1 is UpdateRollbackFailed; it will not come into service on its own"],
  ["Updating", "RUNNING", "endpoint e-1 is Updating"],
  ["SystemUpdating", "RUNNING", "endpoint e-1 is SystemUpdating"],
  ["RollingBack", "RUNNING", "endpoint e-1 is RollingBack"],
])("GetTask maps %s to %s", async (status, phase, message) => {
  await startFake();
  await seedConfig("c");
  fake.playEndpoint("e-1", [
    {
      status,
      failureReason:
        status === "Failed" ? "CannotStartContainerError: the container did not pass the ping health check" : undefined,
    },
  ]);
  const { client, agent } = await server();
  const meta = await client.createTask({
    template: endpointTemplate({ config: { EndpointName: "e-1", EndpointConfigName: "c" }, region: "us-east-2" }),
  });
  const got = await client.getTask(category, meta);
  expect([phaseName(got.phase), got.message]).toEqual([phase, message]);
  expect(got.outputs).toBeUndefined();
  agent.close();
});

test("a missing endpoint is a clear failure from GetTask; DeleteTask of it is fine", async () => {
  await startFake();
  const { client, agent } = await server();
  const meta = Buffer.from(JSON.stringify({ endpointName: "gone-endpoint", region: "us-east-2" }));
  const got = await client.getTask(category, meta);
  expect(phaseName(got.phase)).toBe("FAILED");
  expect(got.message).toBe(
    'endpoint gone-endpoint does not exist in us-east-2 (deleted, or its creation was refused): Could not find endpoint "gone-endpoint".',
  );
  await expect(client.deleteTask(category, meta)).resolves.toBeUndefined();
  agent.close();
});

test("DeleteTask deletes the endpoint", async () => {
  await startFake();
  await seedConfig("c");
  const { client, agent } = await server();
  const meta = await client.createTask({
    template: endpointTemplate({ config: { EndpointName: "e-1", EndpointConfigName: "c" }, region: "us-east-2" }),
  });
  expect(fake.endpoints.has("e-1")).toBe(true);
  await client.deleteTask(category, meta);
  expect(fake.endpoints.has("e-1")).toBe(false);
  expect(fake.calls("DeleteEndpoint")[0]?.body).toEqual({ EndpointName: "e-1" });
  agent.close();
});

test("throttling is retried inside one GetTask; still throttled at the deadline is RUNNING, answered before it", async () => {
  await startFake();
  await seedConfig("c");
  fake.playEndpoint("e-1", [{ status: "InService" }]);
  const { client, agent } = await server();
  const meta = await client.createTask({
    template: endpointTemplate({ config: { EndpointName: "e-1", EndpointConfigName: "c" }, region: "us-east-2" }),
  });
  fake.fault({ operation: "DescribeEndpoint", code: "ThrottlingException", times: 1 });
  fake.fault({ operation: "DescribeEndpoint", status: 500, code: "InternalFailure", message: "boom", times: 1 });
  expect(phaseName((await client.getTask(category, meta)).phase)).toBe("SUCCEEDED");
  expect(fake.calls("DescribeEndpoint").map((r) => r.errorCode ?? r.status)).toEqual([
    "ThrottlingException",
    "InternalFailure",
    200,
  ]);

  fake.fault({ operation: "DescribeEndpoint", code: "ThrottlingException", times: 1000 });
  const { client: hurried } = await startTestServer({ agents: [agent], client: { timeouts: { GetTask: 2000 } } });
  const started = Date.now();
  const got = await hurried.getTask(category, meta);
  expect(Date.now() - started).toBeLessThan(2000);
  expect(phaseName(got.phase)).toBe("RUNNING");
  expect(got.message).toBe(
    "DescribeEndpoint of endpoint e-1 in us-east-2 failed: AWS is throttling or unavailable: Timeout: no answer from AWS before the call's deadline (the SDK was still retrying throttling, 5xx or network errors)",
  );
  agent.close();
});

test("CreateTask still throttled at its deadline is UNAVAILABLE (propeller retries it)", async () => {
  await startFake();
  fake.fault({ operation: "CreateEndpoint", code: "ThrottlingException", times: 1000 });
  const agent = new SageMakerEndpointAgent(fakeOptions(fake));
  // The SDK's first back-off after throttling is under 500 ms: 3 s leaves room for a retry.
  const { client } = await startTestServer({ agents: [agent], client: { timeouts: { CreateTask: 3000 } } });
  const started = Date.now();
  const error = (await client
    .createTask({ template: endpointTemplate({ config: { EndpointName: "e-1", EndpointConfigName: "c" }, region: "us-east-2" }) })
    .catch((e: unknown) => e)) as RpcError;
  expect(error.code).toBe(StatusCode.UNAVAILABLE);
  expect(Date.now() - started).toBeLessThan(3000);
  expect(fake.calls("CreateEndpoint").length).toBeGreaterThan(1);
  agent.close();
});

test("refused credentials never reach a message or a log line", async () => {
  const sessionToken = "FwoGZXIvYXdzEFAKESESSIONTOKEN0123456789abcdef";
  const secretAccessKey = "wrong/secret+access/key-0123456789";
  await startFake({ keys: { [FAKE_AWS_KEY.accessKeyId]: { secretAccessKey: FAKE_AWS_KEY.secretAccessKey, sessionToken } } });
  const log = captureLogger();
  const agent = new SageMakerEndpointAgent(
    fakeOptions(fake, { credentials: async () => ({ accessKeyId: FAKE_AWS_KEY.accessKeyId, secretAccessKey, sessionToken }) }),
  );
  const { client } = await startTestServer({ agents: [agent] });
  const error = (await client
    .createTask({ template: endpointTemplate({ config: { EndpointName: "e-1", EndpointConfigName: "c" }, region: "us-east-2" }) })
    .catch((e: unknown) => e)) as RpcError;
  expect(error.code).toBe(StatusCode.UNAUTHENTICATED);
  expect(error.details).toContain("InvalidSignatureException");
  const ctx = {
    signal: new AbortController().signal,
    log,
    taskCategory: category,
    outputPrefix: "",
  };
  const got = await agent.get({ endpointName: "e-1", region: "us-east-2" }, ctx);
  expect(got.phase).toBe(Phase.FAILED);
  for (const text of [error.details, got.message ?? "", ...log.lines]) {
    expect(text).not.toContain(sessionToken);
    expect(text).not.toContain(secretAccessKey);
  }
  agent.close();
});

test("resource_meta of another kind is INVALID_ARGUMENT", async () => {
  await startFake();
  const { client, agent } = await server();
  for (const meta of [
    { endpointName: "e" },
    { endpointName: "bad name!", region: "us-east-2" },
    { endpointName: "e", region: "mars" },
  ]) {
    const error = (await client.getTask(category, Buffer.from(JSON.stringify(meta))).catch((e: unknown) => e)) as RpcError;
    expect(error.code).toBe(StatusCode.INVALID_ARGUMENT);
  }
  agent.close();
});
