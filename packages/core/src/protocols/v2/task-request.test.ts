import { admin } from "@flyte-agent/flyteidl";
import { connector } from "@flyte-agent/flyteidl/v2";
import { status } from "@grpc/grpc-js";
import { TaskInputError } from "../../errors";
import { jsonMetaCodec } from "../../meta";
import { fromV2TaskRequest } from "./task-request";

describe("fromV2TaskRequest", () => {
  const codec = jsonMetaCodec((v) => v as { jobId: string; attempt: number });
  const meta = { jobId: "run-42", attempt: 2 };

  it("passes resource_meta written for a v1 CreateTask through byte for byte", () => {
    const created = admin.CreateTaskResponse.decode(
      admin.CreateTaskResponse.encode({ resourceMeta: Buffer.from(codec.encode(meta)) }).finish(),
    );
    const wire = connector.GetTaskRequest.encode({
      resourceMeta: created.resourceMeta,
      taskCategory: { name: "databricks", version: 0 },
      outputPrefix: "s3://o",
      connection: { taskType: "databricks", secrets: { databricks_token: "t0k3n" }, configs: {} },
    }).finish();
    const input = fromV2TaskRequest(connector.GetTaskRequest.decode(wire));
    expect(Buffer.from(input.resourceMeta)).toEqual(created.resourceMeta);
    expect(codec.decode(input.resourceMeta)).toEqual(meta);
    expect(input.category).toEqual({ name: "databricks", version: 0 });
    expect(input.outputPrefix).toBe("s3://o");
    expect(input.connection?.secrets).toEqual({ databricks_token: "t0k3n" });
  });

  it("maps a DeleteTaskRequest with an empty output prefix and no connection", () => {
    const input = fromV2TaskRequest(
      connector.DeleteTaskRequest.fromPartial({ resourceMeta: Buffer.from("{}"), taskCategory: { name: "echo", version: 3 } }),
    );
    expect(input).toEqual({ category: { name: "echo", version: 3 }, resourceMeta: Buffer.from("{}"), outputPrefix: "" });
  });

  it("rejects a request without a task category with INVALID_ARGUMENT", () => {
    const call = () => fromV2TaskRequest(connector.GetTaskRequest.fromPartial({ resourceMeta: Buffer.from("{}") }));
    expect(call).toThrow(TaskInputError);
    expect(call).toThrow(expect.objectContaining({ code: status.INVALID_ARGUMENT }));
  });
});
