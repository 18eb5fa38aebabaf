import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DescribeEndpointCommand,
  SageMakerClient,
} from "@aws-sdk/client-sagemaker";
import {
  type AgentLogger,
  type CallContext,
  type CreateContext,
  type ExecuteContext,
  type PlainValue,
  type flyteidl,
  msgpackStructType,
  toLiteral,
} from "@flyte-agent/core";
import { type CustomValue, simpleType, taskTemplate, testExecutionMetadata } from "@flyte-agent/testing";
import { FAKE_AWS_KEY, type FakeSageMaker } from "../src/testing";
import type { SageMakerAgentOptions } from "../src/types";

/** A logger that keeps every line as JSON text, so tests can search it. */
export function captureLogger(): AgentLogger & { lines: string[] } {
  const lines: string[] = [];
  const write = (level: string) => (obj: object, msg?: string) => {
    lines.push(JSON.stringify({ level, msg, ...obj }));
  };
  return { lines, debug: write("debug"), info: write("info"), warn: write("warn"), error: write("error") };
}

/** Input types as flytekit declares them: str, int, float, bool. */
export type InputSpec = Record<string, "string" | "integer" | "float" | "boolean">;

/**
 * A `sagemaker-endpoint` template as flytekit's `SageMakerEndpointTask` registers it: custom
 * `{config, region}`, the user's inputs, output `result: dict` (msgpack STRUCT), no container.
 */
export function endpointTemplate(
  custom: { config: { [key: string]: CustomValue }; region: string | null },
  inputs: InputSpec = { idempotence_token: "string" },
): flyteidl.core.TaskTemplate {
  return taskTemplate({
    type: "sagemaker-endpoint",
    name: "sagemaker-endpoint-xgboost",
    custom,
    inputs,
    outputs: { result: msgpackStructType() },
  });
}

/**
 * A `boto` template as flytekit's `BotoTask` registers it: custom `{service, config, region,
 * method, images}`, outputs `result: dict` (msgpack STRUCT) and `idempotence_token: str`.
 */
export function botoTemplate(
  custom: {
    service: string;
    method: string;
    config: { [key: string]: CustomValue };
    region: string | null;
    images?: { [k: string]: string } | null;
  },
  inputs: InputSpec = {},
): flyteidl.core.TaskTemplate {
  return taskTemplate({
    type: "boto",
    name: `sagemaker-${custom.method}`,
    custom: {
      service: custom.service,
      config: custom.config,
      region: custom.region,
      method: custom.method,
      images: custom.images ?? null,
    },
    inputs,
    outputs: { result: msgpackStructType(), idempotence_token: simpleType("string") },
  });
}

/** Input literals: bigint → integer, number → float, string, boolean. */
export function inputLiterals(values: Record<string, PlainValue>): flyteidl.core.LiteralMap {
  const literals: Record<string, flyteidl.core.Literal> = {};
  for (const [name, value] of Object.entries(values)) literals[name] = toLiteral(value);
  return { literals };
}

/** Agent options pointing at the fake, with its key. */
export function fakeOptions(fake: FakeSageMaker, extra: SageMakerAgentOptions = {}): SageMakerAgentOptions {
  return {
    endpoint: fake.url,
    runtimeEndpoint: fake.runtimeUrl,
    credentials: async () => ({ accessKeyId: FAKE_AWS_KEY.accessKeyId, secretAccessKey: FAKE_AWS_KEY.secretAccessKey }),
    env: {},
    ...extra,
  };
}

/** A context for create/do. */
export function createContext(
  template: flyteidl.core.TaskTemplate,
  inputs: flyteidl.core.LiteralMap = { literals: {} },
  options: { log?: AgentLogger; deadline?: Date; signal?: AbortSignal } = {},
): CreateContext & ExecuteContext {
  return {
    template,
    inputs,
    outputPrefix: "s3://bucket/outputs/attempt-0",
    taskExecutionMetadata: testExecutionMetadata("exec-1", 0),
    signal: options.signal ?? new AbortController().signal,
    deadline: options.deadline,
    log: options.log ?? captureLogger(),
  };
}

/** A context for get/delete. */
export function callContext(options: { log?: AgentLogger; deadline?: Date } = {}): CallContext & {
  taskCategory: { name: string; version: number };
  outputPrefix: string;
} {
  return {
    taskCategory: { name: "sagemaker-endpoint", version: 0 },
    outputPrefix: "",
    signal: new AbortController().signal,
    deadline: options.deadline,
    log: options.log ?? captureLogger(),
  };
}

/** Creates a model, an async endpoint config and an endpoint in the fake with the real SDK client. */
export async function seedEndpoint(fake: FakeSageMaker, name: string): Promise<void> {
  const client = new SageMakerClient({
    region: fake.region,
    endpoint: fake.url,
    credentials: { accessKeyId: FAKE_AWS_KEY.accessKeyId, secretAccessKey: FAKE_AWS_KEY.secretAccessKey },
  });
  try {
    await client.send(new CreateModelCommand({ ModelName: name, PrimaryContainer: { Image: "img" } }));
    await client.send(
      new CreateEndpointConfigCommand({
        EndpointConfigName: `${name}-config`,
        ProductionVariants: [
          { VariantName: "variant-name-1", ModelName: name, InitialInstanceCount: 1, InstanceType: "ml.m4.xlarge" },
        ],
        AsyncInferenceConfig: { OutputConfig: { S3OutputPath: "s3://bucket/out/" } },
      }),
    );
    await client.send(new CreateEndpointCommand({ EndpointName: `${name}-endpoint`, EndpointConfigName: `${name}-config` }));
    await client.send(new DescribeEndpointCommand({ EndpointName: `${name}-endpoint` }));
  } finally {
    client.destroy();
  }
}
