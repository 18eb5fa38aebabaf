/** An error answer of the fake: HTTP status, AWS error code, message. */
export interface ApiError {
  status: number;
  code: string;
  message: string;
}

type Shape =
  | { kind: "string"; pattern?: RegExp; max?: number }
  | { kind: "integer"; min?: number }
  | { kind: "number" }
  | { kind: "boolean" }
  | { kind: "map" }
  | { kind: "any" }
  | { kind: "list"; of: Shape; min?: number; max?: number }
  | { kind: "struct"; fields: Record<string, Shape>; required?: readonly string[] };

/** SageMaker's name rule (models, endpoint configs, endpoints): at most 63 characters. */
const NAME: Shape = { kind: "string", pattern: /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/, max: 63 };
const STRING: Shape = { kind: "string" };
const TAGS: Shape = {
  kind: "list",
  max: 50,
  of: { kind: "struct", fields: { Key: STRING, Value: STRING }, required: ["Key", "Value"] },
};
const CONTAINER: Shape = {
  kind: "struct",
  fields: {
    Image: STRING,
    ModelDataUrl: STRING,
    Environment: { kind: "map" },
    Mode: STRING,
    ContainerHostname: STRING,
    ModelDataSource: { kind: "any" },
  },
};

const SHAPES: Record<string, Shape & { kind: "struct" }> = {
  CreateModel: {
    kind: "struct",
    fields: {
      ModelName: NAME,
      ExecutionRoleArn: STRING,
      PrimaryContainer: CONTAINER,
      Containers: { kind: "list", of: CONTAINER, max: 15 },
      EnableNetworkIsolation: { kind: "boolean" },
      VpcConfig: { kind: "any" },
      InferenceExecutionConfig: { kind: "any" },
      Tags: TAGS,
    },
    required: ["ModelName"],
  },
  CreateEndpointConfig: {
    kind: "struct",
    fields: {
      EndpointConfigName: NAME,
      ProductionVariants: {
        kind: "list",
        min: 1,
        max: 10,
        of: {
          kind: "struct",
          fields: {
            VariantName: NAME,
            ModelName: NAME,
            InitialInstanceCount: { kind: "integer", min: 1 },
            InstanceType: STRING,
            InitialVariantWeight: { kind: "number" },
            ServerlessConfig: { kind: "any" },
          },
          required: ["VariantName"],
        },
      },
      AsyncInferenceConfig: { kind: "any" },
      DataCaptureConfig: { kind: "any" },
      KmsKeyId: STRING,
      Tags: TAGS,
    },
    required: ["EndpointConfigName", "ProductionVariants"],
  },
  CreateEndpoint: {
    kind: "struct",
    fields: { EndpointName: NAME, EndpointConfigName: NAME, DeploymentConfig: { kind: "any" }, Tags: TAGS },
    required: ["EndpointName", "EndpointConfigName"],
  },
  DescribeEndpoint: { kind: "struct", fields: { EndpointName: NAME }, required: ["EndpointName"] },
  DeleteEndpoint: { kind: "struct", fields: { EndpointName: NAME }, required: ["EndpointName"] },
  DeleteEndpointConfig: { kind: "struct", fields: { EndpointConfigName: NAME }, required: ["EndpointConfigName"] },
  DeleteModel: { kind: "struct", fields: { ModelName: NAME }, required: ["ModelName"] },
};

const lowerFirst = (path: string) => path.replace(/(^|\.)([A-Z])/g, (_m, dot: string, c: string) => dot + c.toLowerCase());

function check(value: unknown, shape: Shape, path: string): ApiError | undefined {
  const serialization = (expected: string) => ({
    status: 400,
    code: "SerializationException",
    message: `Cannot deserialize ${path}: expected ${expected}, got ${value === null ? "null" : Array.isArray(value) ? "array" : typeof value}`,
  });
  const constraint = (rule: string) => ({
    status: 400,
    code: "ValidationException",
    message: `1 validation error detected: Value '${typeof value === "string" ? value : JSON.stringify(value)}' at '${lowerFirst(path)}' failed to satisfy constraint: ${rule}`,
  });
  switch (shape.kind) {
    case "any":
      return undefined;
    case "string":
      if (typeof value !== "string") return serialization("a string");
      if (shape.max !== undefined && value.length > shape.max)
        return constraint(`Member must have length less than or equal to ${shape.max}`);
      if (shape.pattern && !shape.pattern.test(value))
        return constraint(`Member must satisfy regular expression pattern: ${shape.pattern.source.replace(/^\^|\$$/g, "")}`);
      return undefined;
    case "integer":
      if (typeof value !== "number" || !Number.isInteger(value)) return serialization("an integer");
      if (shape.min !== undefined && value < shape.min)
        return constraint(`Member must have value greater than or equal to ${shape.min}`);
      return undefined;
    case "number":
      return typeof value === "number" ? undefined : serialization("a number");
    case "boolean":
      return typeof value === "boolean" ? undefined : serialization("a boolean");
    case "map":
      if (typeof value !== "object" || value === null || Array.isArray(value)) return serialization("a map");
      for (const [k, v] of Object.entries(value)) {
        if (typeof v !== "string") return check(v, STRING, `${path}.${k}`);
      }
      return undefined;
    case "list":
      if (!Array.isArray(value)) return serialization("a list");
      if (shape.min !== undefined && value.length < shape.min)
        return constraint(`Member must have length greater than or equal to ${shape.min}`);
      if (shape.max !== undefined && value.length > shape.max)
        return constraint(`Member must have length less than or equal to ${shape.max}`);
      for (let i = 0; i < value.length; i++) {
        const error = check(value[i], shape.of, `${path}.${i + 1}.member`);
        if (error) return error;
      }
      return undefined;
    case "struct": {
      if (typeof value !== "object" || value === null || Array.isArray(value)) return serialization("a structure");
      const record = value as Record<string, unknown>;
      for (const name of shape.required ?? []) {
        if (record[name] === undefined || record[name] === null)
          return {
            status: 400,
            code: "ValidationException",
            message: `1 validation error detected: Value null at '${lowerFirst(path ? `${path}.${name}` : name)}' failed to satisfy constraint: Member must not be null`,
          };
      }
      for (const [name, field] of Object.entries(record)) {
        const fieldShape = shape.fields[name];
        if (!fieldShape) {
          return { status: 400, code: "SerializationException", message: `Unknown member ${path ? `${path}.${name}` : name}` };
        }
        const error = check(field, fieldShape, path ? `${path}.${name}` : name);
        if (error) return error;
      }
      return undefined;
    }
  }
}

/**
 * Checks a SageMaker request body against the operation's input shape, as the service does:
 * wrong JSON types are a SerializationException, broken constraints (name pattern, 63
 * characters, counts) and missing required members a ValidationException.
 */
export function checkRequest(operation: string, body: unknown): ApiError | undefined {
  const shape = SHAPES[operation];
  if (!shape) return { status: 400, code: "UnknownOperationException", message: `Unknown operation ${operation}` };
  return check(body, shape, "");
}
