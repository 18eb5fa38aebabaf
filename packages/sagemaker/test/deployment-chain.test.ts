/**
 * flytekit's deployment chain, end to end through `flyte-agent run` (core's CLI in a child
 * process, the built plugin in-process there) against the fake, with the example templates and
 * chained idempotence tokens: create_model -> create_endpoint_config -> sagemaker-endpoint ->
 * invoke_endpoint_async -> delete_endpoint, delete_endpoint_config, delete_model. The SDK finds
 * the fake through AWS_ENDPOINT_URL (SageMaker) and AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME (which
 * wins over it for the runtime), and its credentials in the environment.
 */
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { FAKE_AWS_KEY, type FakeSageMaker, startFakeSageMaker } from "../src/testing";

const BIN = join(dirname(require.resolve("@flyte-agent/core")), "..", "bin", "flyte-agent.js");
const PLUGIN = join(__dirname, "..", "dist", "index.js");
const EXAMPLES = join(__dirname, "..", "examples");
let fake: FakeSageMaker;

beforeAll(async () => {
  fake = await startFakeSageMaker({ region: "us-east-2" });
});
afterAll(async () => {
  await fake.close();
});

interface RunOutput {
  result: Record<string, string>;
  idempotence_token?: string;
}

function run(example: string, inputs: Record<string, string>): Promise<RunOutput> {
  const args = [
    BIN,
    "run",
    join(EXAMPLES, example),
    "--include",
    "none",
    // Only the built plugin: no installed package is named "none" (as in the snowflake test).
    "--include",
    "none",
    "--modules",
    PLUGIN,
    "--poll-interval",
    "10ms",
    "--max-poll-interval",
    "50ms",
  ];
  for (const [name, value] of Object.entries(inputs)) args.push("-i", `${name}=${value}`);
  const env = {
    ...process.env,
    AWS_ENDPOINT_URL: fake.url,
    AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: fake.runtimeUrl,
    AWS_ACCESS_KEY_ID: FAKE_AWS_KEY.accessKeyId,
    AWS_SECRET_ACCESS_KEY: FAKE_AWS_KEY.secretAccessKey,
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_CONFIG_FILE: join(__dirname, "no-aws-config"),
    AWS_SHARED_CREDENTIALS_FILE: join(__dirname, "no-aws-credentials"),
  };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) reject(new Error(`flyte-agent run ${example} exited ${code}: ${stderr}`));
      else {
        expect(stderr).not.toContain(FAKE_AWS_KEY.secretAccessKey);
        resolve(JSON.parse(stdout) as RunOutput);
      }
    });
  });
}

test("create_model -> create_endpoint_config -> sagemaker-endpoint -> invoke_endpoint_async -> deletes", async () => {
  const model = await run("create-model.yaml", {
    model_path: "s3://my-bucket/xgboost/model.tar.gz",
    execution_role_arn: "arn:aws:iam::123456789012:role/sagemaker-exec",
  });
  const t1 = model.idempotence_token as string;
  expect(t1).toMatch(/^[0-9a-f]{16}$/);
  expect(model.result).toEqual({ ModelArn: `arn:aws:sagemaker:us-east-2:123456789012:model/xgboost-${t1}` });

  const config = await run("create-endpoint-config.yaml", { instance_type: "ml.m4.xlarge", idempotence_token: t1 });
  const t2 = config.idempotence_token as string;
  expect(t2).toMatch(/^[0-9a-f]{16}$/);
  expect(t2).not.toBe(t1);
  expect(fake.calls("CreateEndpointConfig")[0]?.body).toEqual({
    EndpointConfigName: `xgboost-endpoint-config-${t2}`,
    ProductionVariants: [
      { VariantName: "variant-name-1", ModelName: `xgboost-${t1}`, InitialInstanceCount: 1, InstanceType: "ml.m4.xlarge" },
    ],
    AsyncInferenceConfig: { OutputConfig: { S3OutputPath: "s3://my-bucket/async-output/" } },
  });

  const endpoint = await run("endpoint.yaml", { idempotence_token: t2 });
  expect(endpoint.idempotence_token).toBeUndefined();
  const created = fake.calls("CreateEndpoint")[0]?.body as { EndpointName: string; EndpointConfigName: string };
  expect(created.EndpointConfigName).toBe(`xgboost-endpoint-config-${t2}`);
  expect(created.EndpointName).toMatch(/^xgboost-endpoint-[0-9a-f]{16}$/);
  expect(endpoint.result).toEqual({ EndpointArn: `arn:aws:sagemaker:us-east-2:123456789012:endpoint/${created.EndpointName}` });
  expect(fake.calls("DescribeEndpoint").map((r) => r.status)).toEqual([200, 200]);

  const invoked = await run("invoke-endpoint-async.yaml", {
    endpoint_name: created.EndpointName,
    input_location: "s3://my-bucket/inputs/rows.csv",
  });
  expect(invoked.idempotence_token).toBe("");
  expect(invoked.result).toEqual({
    InferenceId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    OutputLocation: expect.stringMatching(/^s3:\/\/my-bucket\/async-output\/[0-9a-f-]{36}\.out$/),
    FailureLocation: expect.stringMatching(/^s3:\/\/my-bucket\/async-output\/failures\/[0-9a-f-]{36}-error\.out$/),
  });
  expect(fake.calls("InvokeEndpointAsync")[0]?.headers).toMatchObject({
    "x-amzn-sagemaker-inputlocation": "s3://my-bucket/inputs/rows.csv",
    "x-amzn-sagemaker-content-type": "text/csv",
    "x-amzn-sagemaker-requestttlseconds": "3600",
  });

  // The same chain again: the same tokens, so the same names, and "already existing" answers.
  expect(
    (
      await run("create-model.yaml", {
        model_path: "s3://my-bucket/xgboost/model.tar.gz",
        execution_role_arn: "arn:aws:iam::123456789012:role/sagemaker-exec",
      })
    ).idempotence_token,
  ).toBe(t1);
  expect(
    (await run("create-endpoint-config.yaml", { instance_type: "ml.m4.xlarge", idempotence_token: t1 })).idempotence_token,
  ).toBe(t2);
  expect(fake.models.size).toBe(1);
  expect(fake.endpointConfigs.size).toBe(1);

  await run("delete-endpoint.yaml", { endpoint_name: created.EndpointName });
  await run("delete-endpoint-config.yaml", { endpoint_config_name: `xgboost-endpoint-config-${t2}` });
  await run("delete-model.yaml", { model_name: `xgboost-${t1}` });
  expect([fake.models.size, fake.endpointConfigs.size, fake.endpoints.size]).toEqual([0, 0, 0]);
  expect(new Set(fake.requests.map((r) => r.accessKeyId))).toEqual(new Set([FAKE_AWS_KEY.accessKeyId]));
}, 120_000);
