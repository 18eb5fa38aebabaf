/**
 * The generated flyteidl2 code against @flyteorg/flyteidl2's own protobuf-es code: what one
 * encodes, the other decodes to the same values (int64, maps, oneofs and Struct included).
 */
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import {
  CreateTaskRequestSchema,
  GetTaskRequestSchema,
  GetTaskResponseSchema,
} from "@flyteorg/flyteidl2/flyteidl2/connector/connector_pb.ts";
import { TaskExecution_Phase as EsPhase } from "@flyteorg/flyteidl2/flyteidl2/core/execution_pb.ts";
import { connector, core, task } from "../src/v2";

const MAX_INT64 = 9223372036854775807n;

function integer(value: bigint): core.Literal {
  return core.Literal.fromPartial({
    value: { $case: "scalar", value: { value: { $case: "primitive", value: { value: { $case: "integer", value } } } } },
  });
}

function text(value: string): core.Literal {
  return core.Literal.fromPartial({
    value: { $case: "scalar", value: { value: { $case: "primitive", value: { value: { $case: "stringValue", value } } } } },
  });
}

const ourCreate: connector.CreateTaskRequest = connector.CreateTaskRequest.fromPartial({
  inputs: task.Inputs.fromPartial({
    literals: [
      { name: "n", value: integer(MAX_INT64) },
      { name: "s", value: text("héllo") },
    ],
  }),
  template: core.TaskTemplate.fromPartial({ type: "databricks", taskTypeVersion: 2, custom: { cluster: { workers: 2 } } }),
  outputPrefix: "s3://bucket/prefix",
  taskExecutionMetadata: connector.TaskExecutionMetadata.fromPartial({
    namespace: "flytesnacks-development",
    labels: { team: "data" },
    taskExecutionId: { retryAttempt: 3 },
  }),
  connection: core.Connection.fromPartial({
    taskType: "databricks",
    secrets: { databricks_token: "dapi-123" },
    configs: { host: "https://dbc.example" },
  }),
});

describe("generated flyteidl2 code vs @flyteorg/flyteidl2's protobuf-es code", () => {
  it("a CreateTaskRequest encoded by protobuf-es decodes here: inputs, template, metadata and connection", () => {
    const bytes = toBinary(
      CreateTaskRequestSchema,
      create(CreateTaskRequestSchema, {
        inputs: {
          literals: [
            {
              name: "n",
              value: {
                value: {
                  case: "scalar",
                  value: { value: { case: "primitive", value: { value: { case: "integer", value: MAX_INT64 } } } },
                },
              },
            },
          ],
        },
        template: { type: "bigquery_query_job_task", taskTypeVersion: 1 },
        outputPrefix: "gs://b/p",
        taskExecutionMetadata: { namespace: "ns", labels: { a: "b" }, taskExecutionId: { retryAttempt: 2 } },
        connection: {
          taskType: "bigquery_query_job_task",
          secrets: { google_application_credentials: "{}" },
          configs: { location: "EU" },
        },
      }),
    );
    const req = connector.CreateTaskRequest.decode(bytes);
    expect(req.inputs?.literals.map((l) => l.name)).toEqual(["n"]);
    expect(req.inputs?.literals[0]?.value).toEqual(integer(MAX_INT64));
    expect(req.template?.type).toBe("bigquery_query_job_task");
    expect(req.template?.taskTypeVersion).toBe(1);
    expect(req.outputPrefix).toBe("gs://b/p");
    expect(req.taskExecutionMetadata?.labels).toEqual({ a: "b" });
    expect(req.taskExecutionMetadata?.taskExecutionId?.retryAttempt).toBe(2);
    expect(req.connection).toEqual({
      taskType: "bigquery_query_job_task",
      secrets: { google_application_credentials: "{}" },
      configs: { location: "EU" },
    });
  });

  it("a CreateTaskRequest encoded here decodes in protobuf-es, and its re-encoding decodes back to the same value", () => {
    const theirs = fromBinary(CreateTaskRequestSchema, connector.CreateTaskRequest.encode(ourCreate).finish());
    const n = theirs.inputs?.literals[0];
    expect(n?.name).toBe("n");
    expect(
      n?.value?.value.case === "scalar" &&
        n.value.value.value.value.case === "primitive" &&
        n.value.value.value.value.value.value,
    ).toEqual({ case: "integer", value: MAX_INT64 });
    // protobuf-es holds google.protobuf.Struct as plain JSON.
    expect(theirs.template?.custom).toEqual({ cluster: { workers: 2 } });
    expect(theirs.connection?.secrets).toEqual({ databricks_token: "dapi-123" });
    expect(theirs.connection?.configs).toEqual({ host: "https://dbc.example" });
    expect(theirs.taskExecutionMetadata?.taskExecutionId?.retryAttempt).toBe(3);

    const back = connector.CreateTaskRequest.decode(toBinary(CreateTaskRequestSchema, theirs));
    expect(back).toEqual(ourCreate);
  });

  it("a GetTaskRequest carries resource_meta bytes and the connection both ways", () => {
    const meta = Buffer.from([0, 1, 2, 255, 254]);
    const ours = connector.GetTaskRequest.fromPartial({
      resourceMeta: meta,
      taskCategory: { name: "databricks", version: 0 },
      outputPrefix: "s3://o",
      connection: { taskType: "databricks", secrets: { databricks_token: "t" } },
    });
    const theirs = fromBinary(GetTaskRequestSchema, connector.GetTaskRequest.encode(ours).finish());
    expect(Buffer.from(theirs.resourceMeta)).toEqual(meta);
    expect(theirs.taskCategory?.name).toBe("databricks");
    expect(theirs.connection?.secrets).toEqual({ databricks_token: "t" });
    expect(connector.GetTaskRequest.decode(toBinary(GetTaskRequestSchema, theirs))).toEqual(ours);
  });

  it("a Resource encoded here decodes in protobuf-es with phase, message, log links, custom_info and outputs", () => {
    const ours = connector.GetTaskResponse.fromPartial({
      resource: {
        phase: core.TaskExecution_Phase.RETRYABLE_FAILED,
        message: "try again",
        logLinks: [core.TaskLog.fromPartial({ name: "Console", uri: "https://x" })],
        customInfo: { count: 3, nested: { ok: true } },
        outputs: task.Outputs.fromPartial({ literals: [{ name: "o0", value: integer(-5n) }] }),
      },
    });
    const res = fromBinary(GetTaskResponseSchema, connector.GetTaskResponse.encode(ours).finish()).resource;
    expect(res?.phase).toBe(EsPhase.RETRYABLE_FAILED);
    expect(res?.message).toBe("try again");
    expect(res?.logLinks.map((l) => [l.name, l.uri])).toEqual([["Console", "https://x"]]);
    expect(res?.customInfo).toEqual({ count: 3, nested: { ok: true } });
    const o0 = res?.outputs?.literals[0];
    expect(o0?.name).toBe("o0");
    expect(
      o0?.value?.value.case === "scalar" &&
        o0.value.value.value.value.case === "primitive" &&
        o0.value.value.value.value.value.value,
    ).toEqual({ case: "integer", value: -5n });
  });

  it("a Resource encoded by protobuf-es decodes here and re-encodes to the same bytes", () => {
    const theirs = create(GetTaskResponseSchema, {
      resource: {
        phase: EsPhase.SUCCEEDED,
        message: "done",
        logLinks: [{ name: "Run", uri: "https://run/1" }],
        outputs: {
          literals: [
            {
              name: "rows",
              value: {
                value: {
                  case: "scalar",
                  value: { value: { case: "primitive", value: { value: { case: "integer", value: 42n } } } },
                },
              },
            },
          ],
        },
      },
    });
    const bytes = toBinary(GetTaskResponseSchema, theirs);
    const ours = connector.GetTaskResponse.decode(bytes);
    expect(ours.resource?.phase).toBe(core.TaskExecution_Phase.SUCCEEDED);
    expect(ours.resource?.message).toBe("done");
    expect(ours.resource?.logLinks[0]?.uri).toBe("https://run/1");
    expect(ours.resource?.outputs?.literals).toEqual([{ name: "rows", value: integer(42n) }]);
    expect(Buffer.from(connector.GetTaskResponse.encode(ours).finish())).toEqual(Buffer.from(bytes));
  });
});
