import { StatusCode } from "@flyte-agent/core";
import { findBotoMethod } from "../src/boto-methods";

test("maps the boto3 methods of flytekit's SageMaker tasks to SDK v3 commands", () => {
  const table = [
    ["sagemaker", "create_model", "CreateModelCommand"],
    ["sagemaker", "create_endpoint_config", "CreateEndpointConfigCommand"],
    ["sagemaker", "delete_endpoint", "DeleteEndpointCommand"],
    ["sagemaker", "delete_endpoint_config", "DeleteEndpointConfigCommand"],
    ["sagemaker", "delete_model", "DeleteModelCommand"],
    ["sagemaker-runtime", "invoke_endpoint_async", "InvokeEndpointAsyncCommand"],
    ["sagemaker-runtime", "invoke_endpoint", "InvokeEndpointCommand"],
  ] as const;
  for (const [service, method, command] of table) expect(findBotoMethod(service, method).command).toBe(command);
  expect(findBotoMethod("sagemaker", "create_model").resultField).toBe("ModelArn");
  expect(findBotoMethod("sagemaker", "create_endpoint_config").resultField).toBe("EndpointConfigArn");
  expect(findBotoMethod("sagemaker-runtime", "invoke_endpoint").resultField).toBeUndefined();
});

test("the SDK modules export every mapped command", async () => {
  const sagemaker = (await import("@aws-sdk/client-sagemaker")) as unknown as Record<string, unknown>;
  const runtime = (await import("@aws-sdk/client-sagemaker-runtime")) as unknown as Record<string, unknown>;
  for (const [service, method] of [
    ["sagemaker", "create_model"],
    ["sagemaker", "delete_model"],
    ["sagemaker-runtime", "invoke_endpoint_async"],
  ] as const) {
    const sdk = service === "sagemaker" ? sagemaker : runtime;
    expect(typeof sdk[findBotoMethod(service, method).command]).toBe("function");
  }
});

test("any other service or method is INVALID_ARGUMENT listing the supported ones", () => {
  for (const [service, method] of [
    ["s3", "put_object"],
    ["sagemaker", "create_training_job"],
    ["sagemaker-runtime", "create_model"],
    ["sagemaker", "constructor"],
    ["sagemaker", "__proto__"],
  ]) {
    expect(() => findBotoMethod(service, method)).toThrow(
      expect.objectContaining({
        code: StatusCode.INVALID_ARGUMENT,
        message: `boto: ${service}.${method} is not supported; supported: sagemaker.create_model, sagemaker.create_endpoint_config, sagemaker.delete_endpoint, sagemaker.delete_endpoint_config, sagemaker.delete_model, sagemaker-runtime.invoke_endpoint_async, sagemaker-runtime.invoke_endpoint`,
      }),
    );
  }
});
