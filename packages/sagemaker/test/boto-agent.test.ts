/** boto over gRPC (v1 ExecuteTaskSync), against the fake through the real SDK clients. */
import { StatusCode, fromLiteralMap, phaseName } from "@flyte-agent/core";
import { type CustomValue, type RpcError, startTestServer } from "@flyte-agent/testing";
import { BotoAgent } from "../src";
import { type FakeSageMaker, type FakeSageMakerOptions, startFakeSageMaker } from "../src/testing";
import { botoTemplate, fakeOptions, inputLiterals, seedEndpoint } from "./helpers";

let fake: FakeSageMaker;
let agent: BotoAgent;

async function setup(options: FakeSageMakerOptions = {}) {
  fake = await startFakeSageMaker({ region: "us-east-2", ...options });
  agent = new BotoAgent(fakeOptions(fake));
  return startTestServer({ agents: [agent] });
}
afterEach(async () => {
  agent.close();
  await fake.close();
});

const model = {
  service: "sagemaker",
  method: "create_model",
  region: "us-east-2",
  images: { deployment_image: "123456789012.dkr.ecr.us-east-2.amazonaws.com/xgboost:1.7" },
  config: {
    ModelName: "xgboost-{idempotence_token}",
    PrimaryContainer: { Image: "{images.deployment_image}", ModelDataUrl: "{inputs.model_path}" },
    ExecutionRoleArn: "{inputs.execution_role_arn}",
  },
};
const modelInputs = () =>
  inputLiterals({
    model_path: "s3://models/xgboost/model.tar.gz",
    execution_role_arn: "arn:aws:iam::123456789012:role/sagemaker-exec",
  });
const MODEL_TOKEN = "5e8217d10138b263"; // from the Python-made fixtures (create_model case)

test("create_model: renders the config, answers result {ModelArn} (msgpack) and the idempotence token", async () => {
  const { client } = await setup();
  const resource = await client.executeTaskSync({
    template: botoTemplate(model, { model_path: "string", execution_role_arn: "string" }),
    inputs: modelInputs(),
  });
  expect(phaseName(resource.phase)).toBe("SUCCEEDED");
  expect(fake.calls("CreateModel")[0]?.body).toEqual({
    ModelName: `xgboost-${MODEL_TOKEN}`,
    PrimaryContainer: {
      Image: "123456789012.dkr.ecr.us-east-2.amazonaws.com/xgboost:1.7",
      ModelDataUrl: "s3://models/xgboost/model.tar.gz",
    },
    ExecutionRoleArn: "arn:aws:iam::123456789012:role/sagemaker-exec",
  });
  expect(resource.outputs?.literals.result?.value).toMatchObject({
    value: { value: { $case: "binary", value: { tag: "msgpack" } } },
  });
  expect(fromLiteralMap(resource.outputs)).toEqual({
    result: { ModelArn: `arn:aws:sagemaker:us-east-2:123456789012:model/xgboost-${MODEL_TOKEN}` },
    idempotence_token: MODEL_TOKEN,
  });
});

test("create_endpoint_config: floats of custom go out as integers; an already existing config succeeds with its ARN", async () => {
  const { client } = await setup();
  await client.executeTaskSync({
    template: botoTemplate(model, { model_path: "string", execution_role_arn: "string" }),
    inputs: modelInputs(),
  });
  const template = botoTemplate(
    {
      service: "sagemaker",
      method: "create_endpoint_config",
      region: "us-east-2",
      images: null,
      config: {
        EndpointConfigName: "xgboost-endpoint-config-{idempotence_token}",
        ProductionVariants: [
          {
            VariantName: "variant-name-1",
            ModelName: "xgboost-{inputs.idempotence_token}",
            InitialInstanceCount: 1.0,
            InstanceType: "ml.m4.xlarge",
          },
        ],
        AsyncInferenceConfig: { OutputConfig: { S3OutputPath: "s3://models/async-output/" } },
      },
    },
    { idempotence_token: "string" },
  );
  const inputs = inputLiterals({ idempotence_token: MODEL_TOKEN });
  const first = await client.executeTaskSync({ template, inputs });
  expect(fake.calls("CreateEndpointConfig")[0]?.body).toMatchObject({ ProductionVariants: [{ InitialInstanceCount: 1 }] });
  const values = fromLiteralMap(first.outputs) as { result: { EndpointConfigArn: string }; idempotence_token: string };
  expect(values.result.EndpointConfigArn).toBe(
    `arn:aws:sagemaker:us-east-2:123456789012:endpoint-config/xgboost-endpoint-config-${values.idempotence_token}`,
  );

  const again = await client.executeTaskSync({ template, inputs });
  expect(phaseName(again.phase)).toBe("SUCCEEDED");
  expect(again.message).toBe(
    `endpoint config xgboost-endpoint-config-${values.idempotence_token} already existed (${values.result.EndpointConfigArn})`,
  );
  expect(fromLiteralMap(again.outputs)).toEqual(values);
});

test("an already existing resource whose answer names no ARN succeeds and says so", async () => {
  const { client } = await setup();
  fake.fault({ operation: "CreateModel", code: "ValidationException", message: "Cannot create already existing model." });
  const resource = await client.executeTaskSync({
    template: botoTemplate(model, { model_path: "string", execution_role_arn: "string" }),
    inputs: modelInputs(),
  });
  expect(phaseName(resource.phase)).toBe("SUCCEEDED");
  expect(resource.message).toBe(
    `model xgboost-${MODEL_TOKEN} already existed; AWS's answer names no ARN, so result has none: Cannot create already existing model.`,
  );
  expect(fromLiteralMap(resource.outputs)).toEqual({
    result: { result: "Entity already exists." },
    idempotence_token: MODEL_TOKEN,
  });
});

test("invoke_endpoint: a UTF-8 body is text, other bytes base64, no transport metadata", async () => {
  const { client } = await setup({
    endpointStates: () => [{ status: "InService" }],
    invokeAnswer: (_name, body) =>
      body.toString() === "binary"
        ? { body: Buffer.from([0xff, 0xfe, 0x00]), contentType: "application/octet-stream" }
        : { body: Buffer.from(`predictions for ${body.toString()}: [0.93]`), contentType: "text/plain; charset=utf-8" },
  });
  await seedEndpoint(fake, "xgb");
  const invoke = (config: { [key: string]: CustomValue }) =>
    client.executeTaskSync({
      template: botoTemplate({
        service: "sagemaker-runtime",
        method: "invoke_endpoint",
        config: { EndpointName: "xgb-endpoint", ...config },
        region: "us-east-2",
      }),
    });
  // A JSON text with a dotted {...} would be a placeholder to flytekit too: bodies are CSV here.
  const text = await invoke({ Body: "1.5,2.0,ü", ContentType: "text/csv" });
  expect(phaseName(text.phase)).toBe("SUCCEEDED");
  expect(fake.calls("InvokeEndpoint")[0]?.body).toBe("1.5,2.0,ü");
  expect(fake.calls("InvokeEndpoint")[0]?.headers["content-type"]).toBe("text/csv");
  expect(fromLiteralMap(text.outputs)).toEqual({
    result: {
      Body: "predictions for 1.5,2.0,ü: [0.93]",
      ContentType: "text/plain; charset=utf-8",
      InvokedProductionVariant: "variant-name-1",
    },
    idempotence_token: "",
  });
  const binary = await invoke({ Body: "binary" });
  expect((fromLiteralMap(binary.outputs) as { result: { Body: string } }).result.Body).toBe("//4A");
  // A dict body (boto3 would refuse it) is sent as its JSON text.
  await invoke({ Body: { rows: [[1.0, 2.5]] } as never });
  expect(fake.calls("InvokeEndpoint")[2]?.body).toBe('{"rows":[[1,2.5]]}');
});

test("invoke_endpoint_async answers the inference id and the output locations", async () => {
  const { client } = await setup({ endpointStates: () => [{ status: "InService" }] });
  await seedEndpoint(fake, "xgb");
  const resource = await client.executeTaskSync({
    template: botoTemplate(
      {
        service: "sagemaker-runtime",
        method: "invoke_endpoint_async",
        config: {
          EndpointName: "{inputs.endpoint_name}",
          InputLocation: "s3://bucket/in.csv",
          InferenceId: "inf-7",
          RequestTTLSeconds: 3600.0,
        },
        region: "us-east-2",
      },
      { endpoint_name: "string" },
    ),
    inputs: inputLiterals({ endpoint_name: "xgb-endpoint" }),
  });
  expect(fromLiteralMap(resource.outputs)).toEqual({
    result: {
      InferenceId: "inf-7",
      OutputLocation: "s3://bucket/out/inf-7.out",
      FailureLocation: "s3://bucket/out/failures/inf-7-error.out",
    },
    idempotence_token: "",
  });
  expect(fake.calls("InvokeEndpointAsync")[0]?.headers["x-amzn-sagemaker-requestttlseconds"]).toBe("3600");
});

test("an unsupported service or method is INVALID_ARGUMENT listing the supported ones", async () => {
  const { client } = await setup();
  const error = (await client
    .executeTaskSync({
      template: botoTemplate({ service: "s3", method: "put_object", config: { Bucket: "b" }, region: "us-east-2" }),
    })
    .catch((e: unknown) => e)) as RpcError;
  expect(error.code).toBe(StatusCode.INVALID_ARGUMENT);
  expect(error.details).toContain(
    "boto: s3.put_object is not supported; supported: sagemaker.create_model, sagemaker.create_endpoint_config",
  );
  expect(fake.requests).toEqual([]);
});

test("access denied and validation errors are FAILED naming the operation and the resource", async () => {
  const { client } = await setup({ denied: ["DeleteModel"] });
  const denied = await client.executeTaskSync({
    template: botoTemplate({ service: "sagemaker", method: "delete_model", config: { ModelName: "xgb" }, region: "us-east-2" }),
  });
  expect(phaseName(denied.phase)).toBe("FAILED");
  expect(denied.message).toMatch(
    /^DeleteModel of model xgb in us-east-2 failed: access denied \(the agent's IAM role may not do this\): AccessDeniedException: /,
  );
  const invalid = await client.executeTaskSync({
    template: botoTemplate({
      service: "sagemaker",
      method: "delete_endpoint_config",
      config: { EndpointConfigName: "nope" },
      region: "us-east-2",
    }),
  });
  expect(phaseName(invalid.phase)).toBe("FAILED");
  expect(invalid.message).toBe(
    'DeleteEndpointConfig of endpoint config nope in us-east-2 failed: it does not exist: ValidationException: Could not find endpoint configuration "arn:aws:sagemaker:us-east-2:123456789012:endpoint-config/nope".',
  );
});

test("throttled past the call's deadline is RETRYABLE_FAILED, answered before the deadline", async () => {
  fake = await startFakeSageMaker({ region: "us-east-2" });
  agent = new BotoAgent(fakeOptions(fake));
  const { client } = await startTestServer({ agents: [agent], client: { timeouts: { ExecuteTaskSync: 2000 } } });
  fake.fault({ operation: "DeleteModel", code: "ThrottlingException", times: 1000 });
  const started = Date.now();
  const resource = await client.executeTaskSync({
    template: botoTemplate({ service: "sagemaker", method: "delete_model", config: { ModelName: "xgb" }, region: "us-east-2" }),
  });
  expect(Date.now() - started).toBeLessThan(2000);
  expect(phaseName(resource.phase)).toBe("RETRYABLE_FAILED");
  expect(resource.message).toMatch(/^DeleteModel of model xgb in us-east-2 failed: AWS is throttling or unavailable/);
});

test("no region anywhere is INVALID_ARGUMENT; a tritonserver image is filled for the input region", async () => {
  const { client } = await setup({ region: "cn-north-1" });
  const none = (await client
    .executeTaskSync({
      template: botoTemplate({ ...model, region: null }, { model_path: "string", execution_role_arn: "string" }),
      inputs: modelInputs(),
    })
    .catch((e: unknown) => e)) as RpcError;
  expect(none.code).toBe(StatusCode.INVALID_ARGUMENT);
  const triton = await client.executeTaskSync({
    template: botoTemplate(
      {
        service: "sagemaker",
        method: "create_model",
        region: "us-east-1",
        images: { primary: "{account_id}.dkr.ecr.{region}.{base}/sagemaker-tritonserver:21.08-py3" },
        config: { ModelName: "triton-{idempotence_token}", PrimaryContainer: { Image: "{images.primary}" } },
      },
      { region: "string" },
    ),
    inputs: inputLiterals({ region: "cn-north-1" }),
  });
  expect(phaseName(triton.phase)).toBe("SUCCEEDED");
  expect(fake.calls("CreateModel")[0]?.body).toMatchObject({
    PrimaryContainer: { Image: "472730292857.dkr.ecr.cn-north-1.amazonaws.com.cn/sagemaker-tritonserver:21.08-py3" },
  });
});

test("a response Body up to maxResponseBodyBytes is returned; one byte more is FAILED saying so", async () => {
  fake = await startFakeSageMaker({
    region: "us-east-2",
    endpointStates: () => [{ status: "InService" }],
    invokeAnswer: (_name, body) => ({ body: Buffer.alloc(Number(body.toString()), 97), contentType: "text/plain" }),
  });
  agent = new BotoAgent(fakeOptions(fake, { maxResponseBodyBytes: 64 }));
  const { client } = await startTestServer({ agents: [agent] });
  await seedEndpoint(fake, "xgb");
  const invoke = (size: number) =>
    client.executeTaskSync({
      template: botoTemplate({
        service: "sagemaker-runtime",
        method: "invoke_endpoint",
        config: { EndpointName: "xgb-endpoint", Body: String(size) },
        region: "us-east-2",
      }),
    });
  const atLimit = await invoke(64);
  expect(phaseName(atLimit.phase)).toBe("SUCCEEDED");
  expect((fromLiteralMap(atLimit.outputs) as { result: { Body: string } }).result.Body).toBe("a".repeat(64));
  const over = await invoke(65);
  expect(phaseName(over.phase)).toBe("FAILED");
  expect(over.message).toBe(
    "InvokeEndpoint of endpoint xgb-endpoint in us-east-2 answered a Body of 65 bytes, more than the 64 bytes a result may hold (the agent's maxResponseBodyBytes); use invoke_endpoint_async for large answers",
  );
});
