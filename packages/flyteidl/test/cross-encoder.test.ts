/**
 * The generated messages against the protobufjs code shipped in @flyteorg/flyteidl: what one
 * encodes, the other decodes to the same values (int64 included).
 */
import { admin, core } from "../src";

// biome-ignore lint/suspicious/noExplicitAny: the protobufjs bundle is untyped JavaScript
const pb: any = require("@flyteorg/flyteidl/gen/pb-js/flyteidl.js").flyteidl;

describe("generated code vs @flyteorg/flyteidl's protobufjs code", () => {
  it("a CreateTaskRequest encoded by protobufjs decodes here, int64 intact", () => {
    const bytes = pb.admin.CreateTaskRequest.encode(
      pb.admin.CreateTaskRequest.create({
        inputs: { literals: { n: { scalar: { primitive: { integer: "9223372036854775807" } } } } },
        template: { type: "echo", taskTypeVersion: 3, custom: { fields: { k: { numberValue: 2 } } } },
        outputPrefix: "s3://b/p",
        taskExecutionMetadata: { namespace: "ns", labels: { a: "b" }, taskExecutionId: { retryAttempt: 2 } },
      }),
    ).finish();
    const req = admin.CreateTaskRequest.decode(bytes);
    const n = req.inputs?.literals.n?.value;
    expect(n?.$case === "scalar" && n.value.value?.$case === "primitive" && n.value.value.value.value).toEqual({
      $case: "integer",
      value: 9223372036854775807n,
    });
    expect(req.template?.type).toBe("echo");
    expect(req.template?.taskTypeVersion).toBe(3);
    expect(req.template?.custom).toEqual({ k: 2 });
    expect(req.taskExecutionMetadata?.labels).toEqual({ a: "b" });
    expect(req.taskExecutionMetadata?.taskExecutionId?.retryAttempt).toBe(2);
  });

  it("a Resource encoded here decodes in protobufjs with phase, state and log links", () => {
    const bytes = admin.GetTaskResponse.encode({
      resource: admin.Resource.fromPartial({
        phase: core.TaskExecution_Phase.RETRYABLE_FAILED,
        state: admin.State.RETRYABLE_FAILURE,
        message: "try again",
        logLinks: [core.TaskLog.fromPartial({ name: "Console", uri: "https://x" })],
        customInfo: { count: 3, nested: { ok: true } },
      }),
    }).finish();
    const res = pb.admin.GetTaskResponse.decode(bytes).resource;
    expect(res.phase).toBe(pb.core.TaskExecution.Phase.RETRYABLE_FAILED);
    expect(res.message).toBe("try again");
    expect(res.logLinks[0].name).toBe("Console");
    expect(res.customInfo.fields.count.numberValue).toBe(3);
    expect(res.customInfo.fields.nested.structValue.fields.ok.boolValue).toBe(true);
  });
});
