import { connector, core as v2core, task } from "@flyte-agent/flyteidl/v2";
import { status } from "@grpc/grpc-js";
import { TaskInputError } from "../../errors";
import { fromV2CreateTaskRequest } from "./create-request";
import { decodeV2CreateTaskRequest, fromV2CreateTaskWire } from "./create-request-wire";

const INT64_MIN = -9223372036854775808n;

function integer(value: bigint): v2core.Literal {
  return v2core.Literal.fromPartial({
    value: { $case: "scalar", value: { value: { $case: "primitive", value: { value: { $case: "integer", value } } } } },
  });
}

function request(): connector.CreateTaskRequest {
  return connector.CreateTaskRequest.fromPartial({
    inputs: task.Inputs.fromPartial({
      literals: [
        { name: "n", value: integer(INT64_MIN) },
        { name: "m", value: v2core.Literal.fromPartial({ value: { $case: "map", value: { literals: { a: integer(1n) } } } }) },
      ],
      context: [{ key: "trace", value: "t-1" }],
    }),
    template: v2core.TaskTemplate.fromPartial({
      type: "databricks",
      taskTypeVersion: 1,
      custom: { spec: { cluster: { num_workers: 2 } } },
      interface: { inputs: { variables: [{ key: "n", value: { type: { type: { $case: "simple", value: 1 } } } }] } },
    }),
    outputPrefix: "s3://bucket/run/0",
    taskExecutionMetadata: { namespace: "proj-dev", labels: { team: "data" }, taskExecutionId: { retryAttempt: 1 } },
    connection: { taskType: "databricks", secrets: { databricks_token: "dapi-secret" }, configs: { host: "h" } },
  });
}

function wireOf(req: connector.CreateTaskRequest): Buffer {
  return Buffer.from(connector.CreateTaskRequest.encode(req).finish());
}

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected a throw");
}

describe("decodeV2CreateTaskRequest + fromV2CreateTaskWire", () => {
  it("give plugins the same inputs as decoding the v2 message and mapping it", () => {
    const bytes = wireOf(request());
    const direct = fromV2CreateTaskWire(decodeV2CreateTaskRequest(bytes));
    const mapped = fromV2CreateTaskRequest(connector.CreateTaskRequest.decode(bytes));
    expect(direct).toEqual(mapped);
    expect(Object.keys(direct.inputs.literals)).toEqual(["n", "m"]);
    expect(direct.connection?.secrets.databricks_token).toBe("dapi-secret");
    expect(Object.isFrozen(direct.connection?.secrets)).toBe(true);
  });

  it("leave connection and metadata out when the request has none", () => {
    const bytes = wireOf(connector.CreateTaskRequest.fromPartial({ template: { type: "echo" } }));
    const direct = fromV2CreateTaskWire(decodeV2CreateTaskRequest(bytes));
    expect(direct).toEqual(fromV2CreateTaskRequest(connector.CreateTaskRequest.decode(bytes)));
    expect("connection" in direct).toBe(false);
    expect("taskExecutionMetadata" in direct).toBe(false);
  });

  it("keep the last connection when the field repeats, as the v2 decoder does", () => {
    const first = wireOf(connector.CreateTaskRequest.fromPartial({ connection: { secrets: { a: "1" } } }));
    const second = wireOf(
      connector.CreateTaskRequest.fromPartial({ template: { type: "x" }, connection: { secrets: { b: "2" } } }),
    );
    const bytes = Buffer.concat([first, second]);
    const direct = fromV2CreateTaskWire(decodeV2CreateTaskRequest(bytes));
    expect(direct.connection).toEqual(fromV2CreateTaskRequest(connector.CreateTaskRequest.decode(bytes)).connection);
  });

  it.each([
    ["no template", {}, "request has no task template"],
    ["a template without a type", { template: { taskTypeVersion: 1 } }, "task template has no type"],
    [
      "an unnamed input",
      { template: { type: "x" }, inputs: { literals: [{ name: "", value: integer(1n) }] } },
      "inputs: literal #0 has no name",
    ],
    [
      "a repeated input name",
      {
        template: { type: "x" },
        inputs: {
          literals: [
            { name: "a", value: integer(1n) },
            { name: "a", value: integer(2n) },
          ],
        },
      },
      'inputs: "a" appears more than once',
    ],
    ["an input without a value", { template: { type: "x" }, inputs: { literals: [{ name: "a" }] } }, 'inputs: "a" has no value'],
  ])("reject %s with the message of the v2 mapping", (_what, partial, message) => {
    const bytes = wireOf(connector.CreateTaskRequest.fromPartial(partial as connector.CreateTaskRequest));
    const err = thrown(() => fromV2CreateTaskWire(decodeV2CreateTaskRequest(bytes)));
    expect(err).toBeInstanceOf(TaskInputError);
    expect((err as TaskInputError).code).toBe(status.INVALID_ARGUMENT);
    expect(err.message).toContain(message);
    expect(err.message).toBe(thrown(() => fromV2CreateTaskRequest(connector.CreateTaskRequest.decode(bytes))).message);
  });

  it("reject bytes that are not a message", () => {
    const bytes = wireOf(request());
    expect(() => decodeV2CreateTaskRequest(bytes.subarray(0, bytes.length - 3))).toThrow();
    expect(() => decodeV2CreateTaskRequest(Buffer.from([0x0a, 0xff]))).toThrow();
  });
});
