/** The fake, driven by the real SDK v3 clients through the endpoint override. */
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DeleteModelCommand,
  DescribeEndpointCommand,
  SageMakerClient,
} from "@aws-sdk/client-sagemaker";
import { InvokeEndpointAsyncCommand, InvokeEndpointCommand, SageMakerRuntimeClient } from "@aws-sdk/client-sagemaker-runtime";
import { FAKE_AWS_KEY, type FakeSageMaker, startFakeSageMaker } from "../src/testing";

let fake: FakeSageMaker;
const clients: Array<{ destroy(): void }> = [];
const credentials = { accessKeyId: FAKE_AWS_KEY.accessKeyId, secretAccessKey: FAKE_AWS_KEY.secretAccessKey };

function sagemaker(overrides: Partial<ConstructorParameters<typeof SageMakerClient>[0]> = {}) {
  const client = new SageMakerClient({ region: "us-east-1", endpoint: fake.url, credentials, maxAttempts: 1, ...overrides });
  clients.push(client);
  return client;
}
function runtime() {
  const client = new SageMakerRuntimeClient({ region: "us-east-1", endpoint: fake.runtimeUrl, credentials, maxAttempts: 1 });
  clients.push(client);
  return client;
}

beforeEach(async () => {
  fake = await startFakeSageMaker({
    endpointStates: () => [{ status: "Creating" }, { status: "Creating" }, { status: "InService" }],
  });
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await fake.close();
});

async function deploy(client: SageMakerClient, name = "xgb") {
  await client.send(
    new CreateModelCommand({ ModelName: name, ExecutionRoleArn: "arn:aws:iam::1:role/r", PrimaryContainer: { Image: "img" } }),
  );
  await client.send(
    new CreateEndpointConfigCommand({
      EndpointConfigName: `${name}-config`,
      ProductionVariants: [{ VariantName: "v1", ModelName: name, InitialInstanceCount: 1, InstanceType: "ml.m4.xlarge" }],
      AsyncInferenceConfig: { OutputConfig: { S3OutputPath: "s3://bucket/out/" } },
    }),
  );
  return client.send(new CreateEndpointCommand({ EndpointName: `${name}-endpoint`, EndpointConfigName: `${name}-config` }));
}

test("creates a model, a config and an endpoint that walks through its states, one per DescribeEndpoint", async () => {
  const client = sagemaker();
  const created = await deploy(client);
  expect(created.EndpointArn).toBe("arn:aws:sagemaker:us-east-1:123456789012:endpoint/xgb-endpoint");
  const statuses: Array<string | undefined> = [];
  for (let i = 0; i < 4; i++) {
    const described = await client.send(new DescribeEndpointCommand({ EndpointName: "xgb-endpoint" }));
    statuses.push(described.EndpointStatus);
    expect(described.CreationTime).toBeInstanceOf(Date);
  }
  expect(statuses).toEqual(["Creating", "Creating", "InService", "InService"]);
  expect(fake.calls("CreateModel")[0]).toMatchObject({ accessKeyId: FAKE_AWS_KEY.accessKeyId, status: 200 });
  expect(fake.calls("CreateEndpointConfig")[0]?.body).toMatchObject({ ProductionVariants: [{ InitialInstanceCount: 1 }] });
});

test("answers AWS's refusals: already existing, unknown references, missing endpoint, name rules", async () => {
  const client = sagemaker();
  await deploy(client);
  await expect(
    client.send(new CreateModelCommand({ ModelName: "xgb", PrimaryContainer: { Image: "img" } })),
  ).rejects.toMatchObject({
    name: "ValidationException",
    message: 'Cannot create already existing model "arn:aws:sagemaker:us-east-1:123456789012:model/xgb".',
  });
  await expect(client.send(new CreateEndpointCommand({ EndpointName: "e2", EndpointConfigName: "nope" }))).rejects.toMatchObject({
    name: "ValidationException",
    message: expect.stringMatching(/^Could not find endpoint configuration/),
  });
  await expect(client.send(new DescribeEndpointCommand({ EndpointName: "ghost" }))).rejects.toMatchObject({
    name: "ValidationException",
    message: 'Could not find endpoint "ghost".',
  });
  await expect(
    client.send(new CreateModelCommand({ ModelName: "x".repeat(64), PrimaryContainer: { Image: "i" } })),
  ).rejects.toMatchObject({
    name: "ValidationException",
    message: expect.stringContaining("Member must have length less than or equal to 63"),
  });
  await expect(
    client.send(
      new CreateEndpointConfigCommand({
        EndpointConfigName: "c2",
        ProductionVariants: [{ VariantName: "v", ModelName: "xgb", InitialInstanceCount: 1.5, InstanceType: "ml.m4.xlarge" }],
      }),
    ),
  ).rejects.toMatchObject({ name: "SerializationException" });
});

test("refuses a signature for another region, a wrong secret and an unknown key", async () => {
  await expect(sagemaker({ region: "eu-west-1" }).send(new DescribeEndpointCommand({ EndpointName: "e" }))).rejects.toMatchObject(
    {
      name: "InvalidSignatureException",
      message: expect.stringContaining("valid region"),
    },
  );
  await expect(
    sagemaker({ credentials: { ...credentials, secretAccessKey: "wrong" } }).send(
      new DescribeEndpointCommand({ EndpointName: "e" }),
    ),
  ).rejects.toMatchObject({ name: "InvalidSignatureException", $metadata: { httpStatusCode: 403 } });
  await expect(
    sagemaker({ credentials: { ...credentials, accessKeyId: "AKIAUNKNOWN" } }).send(
      new DescribeEndpointCommand({ EndpointName: "e" }),
    ),
  ).rejects.toMatchObject({ name: "UnrecognizedClientException" });
});

test("throttles and fails with 5xx on request; the SDK's retries get through", async () => {
  fake.fault({ operation: "DescribeEndpoint", code: "ThrottlingException", times: 1 });
  fake.fault({ operation: "DescribeEndpoint", status: 503, code: "ServiceUnavailable", message: "try later", times: 1 });
  await expect(sagemaker().send(new DescribeEndpointCommand({ EndpointName: "e" }))).rejects.toMatchObject({
    name: "ThrottlingException",
  });
  await expect(sagemaker().send(new DescribeEndpointCommand({ EndpointName: "e" }))).rejects.toMatchObject({
    $metadata: { httpStatusCode: 503 },
  });
  await deploy(sagemaker());
  fake.fault({ operation: "DescribeEndpoint", code: "ThrottlingException", times: 2 });
  const retried = await sagemaker({ maxAttempts: 3 }).send(new DescribeEndpointCommand({ EndpointName: "xgb-endpoint" }));
  expect(retried.$metadata.attempts).toBe(3);
  expect(fake.calls("DescribeEndpoint").map((r) => r.errorCode ?? r.status)).toEqual([
    "ThrottlingException",
    "ServiceUnavailable",
    "ThrottlingException",
    "ThrottlingException",
    200,
  ]);
});

test("answers ResourceLimitExceeded past the instance quota and AccessDenied for denied operations", async () => {
  await fake.close();
  fake = await startFakeSageMaker({ instanceQuota: 0, denied: ["DeleteModel"] });
  await expect(deploy(sagemaker())).rejects.toMatchObject({
    name: "ResourceLimitExceeded",
    message: expect.stringContaining("Please use AWS Service Quotas to request an increase for this quota."),
  });
  await expect(sagemaker().send(new DeleteModelCommand({ ModelName: "xgb" }))).rejects.toMatchObject({
    name: "AccessDeniedException",
    message: expect.stringContaining("is not authorized to perform: sagemaker:DeleteModel"),
  });
});

test("a dropped connection is a network error to the SDK", async () => {
  fake.fault({ operation: "DescribeEndpoint", drop: true });
  await expect(sagemaker().send(new DescribeEndpointCommand({ EndpointName: "e" }))).rejects.toThrow(/socket hang up/);
  expect(fake.calls("DescribeEndpoint")[0]?.status).toBe(-1);
});

test("runtime: InvokeEndpoint echoes the body, InvokeEndpointAsync answers 202 with the output location", async () => {
  await deploy(sagemaker());
  for (let i = 0; i < 3; i++) await sagemaker().send(new DescribeEndpointCommand({ EndpointName: "xgb-endpoint" }));
  const invoked = await runtime().send(
    new InvokeEndpointCommand({
      EndpointName: "xgb-endpoint",
      Body: Buffer.from('{"x":[1,2]}'),
      ContentType: "application/json",
    }),
  );
  expect(Buffer.from(invoked.Body!).toString()).toBe('{"x":[1,2]}');
  expect(invoked.ContentType).toBe("application/json");
  const queued = await runtime().send(
    new InvokeEndpointAsyncCommand({ EndpointName: "xgb-endpoint", InputLocation: "s3://bucket/in.json", InferenceId: "inf-1" }),
  );
  expect(queued).toMatchObject({ InferenceId: "inf-1", OutputLocation: "s3://bucket/out/inf-1.out" });
  expect(fake.calls("InvokeEndpointAsync")[0]?.headers["x-amzn-sagemaker-inputlocation"]).toBe("s3://bucket/in.json");
  await expect(
    runtime().send(new InvokeEndpointCommand({ EndpointName: "ghost", Body: Buffer.from("x") })),
  ).rejects.toMatchObject({
    name: "ValidationError",
  });
});

test("a request body over the limit is refused with 413", async () => {
  await fake.close();
  fake = await startFakeSageMaker({ maxBodyBytes: 1024 });
  await deploy(sagemaker());
  await expect(
    runtime().send(new InvokeEndpointCommand({ EndpointName: "xgb-endpoint", Body: Buffer.alloc(1025, 97) })),
  ).rejects.toMatchObject({ $metadata: { httpStatusCode: 413 } });
  expect(fake.calls("InvokeEndpoint").at(-1)).toMatchObject({ status: 413, errorCode: "RequestEntityTooLarge" });
});

test("a step with forMs lasts that long, however often DescribeEndpoint asks", async () => {
  const client = sagemaker();
  await deploy(client);
  fake.playEndpoint("xgb-endpoint", [{ status: "Creating", forMs: 100 }, { status: "InService" }]);
  const started = Date.now();
  const seen: Array<{ status?: string; at: number }> = [];
  for (;;) {
    const { EndpointStatus } = await client.send(new DescribeEndpointCommand({ EndpointName: "xgb-endpoint" }));
    seen.push({ status: EndpointStatus, at: Date.now() - started });
    if (EndpointStatus === "InService") break;
  }
  expect(seen.length).toBeGreaterThanOrEqual(2);
  expect(seen.at(-1)?.at).toBeGreaterThanOrEqual(100);
  expect(seen.slice(0, -1).every((s) => s.status === "Creating")).toBe(true);
});

test("keeps the newest maxRecordedRequests requests", async () => {
  await fake.close();
  fake = await startFakeSageMaker({ maxRecordedRequests: 2 });
  for (const name of ["a", "b", "c"]) {
    await expect(sagemaker().send(new DescribeEndpointCommand({ EndpointName: name }))).rejects.toMatchObject({
      name: "ValidationException",
    });
  }
  expect(fake.requests.map((r) => (r.body as { EndpointName: string }).EndpointName)).toEqual(["b", "c"]);
});
