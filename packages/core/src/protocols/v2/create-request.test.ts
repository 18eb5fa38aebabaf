import { admin, core as v1core } from "@flyte-agent/flyteidl";
import { connector, core as v2core, task } from "@flyte-agent/flyteidl/v2";
import { status } from "@grpc/grpc-js";
import { TaskInputError } from "../../errors";
import { fromV2CreateTaskRequest } from "./create-request";

const INT64_MIN = -9223372036854775808n;

function v2Integer(value: bigint): v2core.Literal {
  return v2core.Literal.fromPartial({
    value: { $case: "scalar", value: { value: { $case: "primitive", value: { value: { $case: "integer", value } } } } },
  });
}

function v1Integer(value: bigint): v1core.Literal {
  return v1core.Literal.fromPartial({
    value: { $case: "scalar", value: { value: { $case: "primitive", value: { value: { $case: "integer", value } } } } },
  });
}

/** The same task, once as a v2 request and once as a v1 request. */
function twin(): { v2: connector.CreateTaskRequest; v1: admin.CreateTaskRequest } {
  const template = {
    type: "databricks",
    taskTypeVersion: 1,
    custom: { spec: { cluster: { num_workers: 2 } }, name: "etl" },
    container: { image: "img:1", args: ["pyflyte-execute", "--inputs", "{{.input}}"] },
    config: { k: "v" },
    interface: {
      inputs: {
        variables: [{ key: "n", value: { type: { type: { $case: "simple" as const, value: 1 } }, description: "count" } }],
      },
    },
  };
  const outputPrefix = "s3://bucket/run/0";
  const taskExecutionMetadata = {
    namespace: "proj-dev",
    labels: { team: "data" },
    k8sServiceAccount: "sa",
    maxAttempts: 3,
    taskExecutionId: { retryAttempt: 1, nodeExecutionId: { nodeId: "n0" } },
  };
  const v2 = connector.CreateTaskRequest.fromPartial({
    inputs: task.Inputs.fromPartial({
      literals: [
        { name: "n", value: v2Integer(INT64_MIN) },
        {
          name: "m",
          value: v2core.Literal.fromPartial({
            value: { $case: "map", value: { literals: { a: v2Integer(1n) } } },
          }),
        },
      ],
    }),
    template: v2core.TaskTemplate.fromPartial(template),
    outputPrefix,
    taskExecutionMetadata,
    connection: { taskType: "databricks", secrets: { databricks_token: "dapi-secret" }, configs: { host: "h" } },
  });
  const v1 = admin.CreateTaskRequest.fromPartial({
    inputs: {
      literals: {
        n: v1Integer(INT64_MIN),
        m: v1core.Literal.fromPartial({ value: { $case: "map", value: { literals: { a: v1Integer(1n) } } } }),
      },
    },
    template: v1core.TaskTemplate.fromPartial({
      ...template,
      interface: { inputs: { variables: { n: { type: { type: { $case: "simple", value: 1 } }, description: "count" } } } },
    }),
    outputPrefix,
    taskExecutionMetadata,
  });
  return { v2, v1 };
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error("expected a throw");
}

describe("fromV2CreateTaskRequest", () => {
  it("gives plugins exactly what the equivalent v1 request gives them", () => {
    const { v2, v1 } = twin();
    const input = fromV2CreateTaskRequest(connector.CreateTaskRequest.decode(connector.CreateTaskRequest.encode(v2).finish()));
    const fromV1 = admin.CreateTaskRequest.decode(admin.CreateTaskRequest.encode(v1).finish());
    expect(input.category).toEqual({ name: "databricks", version: 1 });
    expect(input.template).toEqual(fromV1.template);
    expect(input.inputs).toEqual(fromV1.inputs);
    expect(input.outputPrefix).toBe(fromV1.outputPrefix);
    expect(input.taskExecutionMetadata).toEqual(fromV1.taskExecutionMetadata);
  });

  it("keeps int64 inputs exact and the map order", () => {
    const input = fromV2CreateTaskRequest(twin().v2);
    expect(Object.keys(input.inputs.literals)).toEqual(["n", "m"]);
    expect(input.inputs.literals.n).toEqual(v1Integer(INT64_MIN));
  });

  it("hands over the connection as a frozen copy of its own", () => {
    const req = twin().v2;
    const input = fromV2CreateTaskRequest(req);
    expect(input.connection).toEqual({
      taskType: "databricks",
      secrets: { databricks_token: "dapi-secret" },
      configs: { host: "h" },
    });
    expect(Object.isFrozen(input.connection?.secrets)).toBe(true);
    req.connection!.secrets.databricks_token = "changed";
    expect(input.connection?.secrets.databricks_token).toBe("dapi-secret");
  });

  it("leaves connection and metadata out when the request has none, and inputs empty", () => {
    const input = fromV2CreateTaskRequest(connector.CreateTaskRequest.fromPartial({ template: { type: "echo" } }));
    expect(input).toEqual({
      category: { name: "echo", version: 0 },
      template: expect.objectContaining({ type: "echo" }),
      inputs: { literals: {} },
      outputPrefix: "",
    });
    expect("connection" in input).toBe(false);
  });

  it.each([
    ["no template", {}, "request has no task template"],
    ["a template without a type", { template: { taskTypeVersion: 1 } }, "task template has no type"],
    [
      "an unnamed input",
      { template: { type: "x" }, inputs: { literals: [{ name: "", value: v2Integer(1n) }] } },
      "literal #0 has no name",
    ],
    [
      "a repeated input name",
      {
        template: { type: "x" },
        inputs: {
          literals: [
            { name: "a", value: v2Integer(1n) },
            { name: "a", value: v2Integer(2n) },
          ],
        },
      },
      '"a" appears more than once',
    ],
    ["an input without a value", { template: { type: "x" }, inputs: { literals: [{ name: "a" }] } }, '"a" has no value'],
  ])("rejects %s with INVALID_ARGUMENT", (_what, partial, message) => {
    const req = connector.CreateTaskRequest.fromPartial(partial as connector.CreateTaskRequest);
    const err = thrown(() => fromV2CreateTaskRequest(req));
    expect(err).toBeInstanceOf(TaskInputError);
    expect((err as TaskInputError).code).toBe(status.INVALID_ARGUMENT);
    expect((err as Error).message).toContain(message);
  });

  it("names a non-string connection secret without showing it", () => {
    const req = connector.CreateTaskRequest.fromPartial({ template: { type: "x" } });
    req.connection = { taskType: "x", secrets: { token: 42 as unknown as string }, configs: {} };
    req.connection = { taskType: "x", secrets: { token: 4242 as unknown as string }, configs: {} };
    const err = thrown(() => fromV2CreateTaskRequest(req)) as Error;
    expect(err.message).toContain('connection secret "token" is not a string');
    expect(err.message).not.toContain("4242");
  });
});
