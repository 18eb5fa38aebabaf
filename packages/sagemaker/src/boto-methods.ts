import { TaskInputError } from "@flyte-agent/core";

/** The AWS service of a boto task (boto3's service name). */
export type BotoService = "sagemaker" | "sagemaker-runtime";

/** One supported boto3 method: the SDK v3 command that does it, and what its result keeps. */
export interface BotoMethod {
  service: BotoService;
  /** boto3's snake_case name. */
  method: string;
  /** The SDK v3 command class, e.g. `CreateModelCommand`. */
  command: string;
  /** The operation name AWS uses in errors and IAM actions, e.g. `CreateModel`. */
  operation: string;
  /** The one response field the `result` output keeps (flytekit's rule), else the whole response. */
  resultField?: "ModelArn" | "EndpointConfigArn";
  /** The parameter that names the resource, for error messages. */
  resourceParam: string;
}

const method = (
  service: BotoService,
  name: string,
  operation: string,
  resourceParam: string,
  resultField?: BotoMethod["resultField"],
): BotoMethod => ({ service, method: name, command: `${operation}Command`, operation, resourceParam, resultField });

/** The services and methods flytekit's SageMaker tasks call, by service and boto3 name. */
export const BOTO_METHODS: Readonly<Record<BotoService, Readonly<Record<string, BotoMethod>>>> = {
  sagemaker: {
    create_model: method("sagemaker", "create_model", "CreateModel", "ModelName", "ModelArn"),
    create_endpoint_config: method(
      "sagemaker",
      "create_endpoint_config",
      "CreateEndpointConfig",
      "EndpointConfigName",
      "EndpointConfigArn",
    ),
    delete_endpoint: method("sagemaker", "delete_endpoint", "DeleteEndpoint", "EndpointName"),
    delete_endpoint_config: method("sagemaker", "delete_endpoint_config", "DeleteEndpointConfig", "EndpointConfigName"),
    delete_model: method("sagemaker", "delete_model", "DeleteModel", "ModelName"),
  },
  "sagemaker-runtime": {
    invoke_endpoint_async: method("sagemaker-runtime", "invoke_endpoint_async", "InvokeEndpointAsync", "EndpointName"),
    invoke_endpoint: method("sagemaker-runtime", "invoke_endpoint", "InvokeEndpoint", "EndpointName"),
  },
};

/** `service.method` for every supported method, for messages and the README. */
export function supportedMethods(): string[] {
  return Object.values(BOTO_METHODS).flatMap((methods) => Object.values(methods).map((m) => `${m.service}.${m.method}`));
}

/** Finds the method of a boto task; anything else is INVALID_ARGUMENT listing what is supported. */
export function findBotoMethod(service: unknown, name: unknown): BotoMethod {
  const methods =
    typeof service === "string" && Object.hasOwn(BOTO_METHODS, service) ? BOTO_METHODS[service as BotoService] : undefined;
  const found = methods && typeof name === "string" && Object.hasOwn(methods, name) ? methods[name] : undefined;
  if (!found) {
    throw new TaskInputError(
      `boto: ${String(service).slice(0, 64)}.${String(name).slice(0, 64)} is not supported; supported: ${supportedMethods().join(", ")}`,
    );
  }
  return found;
}
