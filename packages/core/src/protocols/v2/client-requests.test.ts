import { admin, core as v1core } from "@flyte-agent/flyteidl";
import { connector, core as v2core } from "@flyte-agent/flyteidl/v2";
import { TaskInputError } from "../../errors";
import { fromLiteralMap, toLiteralMap } from "../../literals";
import { Phase } from "../../types";
import {
  toV1ListAgentsResponse,
  toV1Resource,
  toV2CreateTaskRequest,
  toV2DeleteTaskRequest,
  toV2GetTaskRequest,
} from "./client-requests";
import { fromV2CreateTaskRequest } from "./create-request";
import { toV2Resource } from "./resource";
import { fromV2TaskRequest } from "./task-request";

const connection = { taskType: "databricks", secrets: { databricks_token: "dapi-1" }, configs: { host: "h" } };
const wire = <T>(codec: { encode(m: T): { finish(): Uint8Array }; decode(b: Uint8Array): T }, m: T): T =>
  codec.decode(codec.encode(m).finish());

describe("toV2CreateTaskRequest", () => {
  const v1 = admin.CreateTaskRequest.fromPartial({
    template: v1core.TaskTemplate.fromPartial({ type: "databricks", taskTypeVersion: 2, custom: { cluster: "c1" } }),
    inputs: toLiteralMap({ n: 9007199254740993n, who: "me" }),
    outputPrefix: "s3://b/out/0",
    taskExecutionMetadata: { namespace: "ns-dev", labels: { team: "a" }, maxAttempts: 3 },
  });

  it("is read by the server adapter as the same task, inputs and metadata, plus the connection", () => {
    const v2 = wire(connector.CreateTaskRequest, toV2CreateTaskRequest(v1, connection));
    const back = fromV2CreateTaskRequest(v2);
    expect(back.category).toEqual({ name: "databricks", version: 2 });
    expect(back.template.custom).toEqual({ cluster: "c1" });
    expect(fromLiteralMap(back.inputs)).toEqual({ n: 9007199254740993n, who: "me" });
    expect(back.outputPrefix).toBe("s3://b/out/0");
    expect(back.taskExecutionMetadata).toMatchObject({ namespace: "ns-dev", labels: { team: "a" }, maxAttempts: 3 });
    expect(back.connection).toEqual(connection);
  });

  it("sends no connection when none is given, and copies the maps it sends", () => {
    expect(toV2CreateTaskRequest(v1).connection).toBeUndefined();
    const sent = toV2CreateTaskRequest(v1, connection).connection as v2core.Connection;
    sent.secrets.databricks_token = "changed";
    expect(connection.secrets.databricks_token).toBe("dapi-1");
  });
});

describe("toV2GetTaskRequest / toV2DeleteTaskRequest", () => {
  it("carry category, resource_meta bytes, output prefix and connection; no task_type", () => {
    const meta = Buffer.from([0, 1, 2, 255]);
    const get = wire(
      connector.GetTaskRequest,
      toV2GetTaskRequest(
        { taskType: "spark", taskCategory: { name: "spark", version: 0 }, resourceMeta: meta, outputPrefix: "s3://o" },
        connection,
      ),
    );
    const readGet = fromV2TaskRequest(get);
    expect(readGet).toEqual({ category: { name: "spark", version: 0 }, resourceMeta: meta, outputPrefix: "s3://o", connection });
    const del = wire(
      connector.DeleteTaskRequest,
      toV2DeleteTaskRequest({ taskType: "spark", taskCategory: { name: "spark", version: 3 }, resourceMeta: meta }),
    );
    expect(fromV2TaskRequest(del)).toEqual({ category: { name: "spark", version: 3 }, resourceMeta: meta, outputPrefix: "" });
  });
});

describe("toV1Resource", () => {
  it("reads a v2 Resource back as the v1 one, with state derived from the phase", () => {
    const sent = toV2Resource({
      phase: Phase.RETRYABLE_FAILED,
      message: "try again",
      logLinks: [{ name: "Run", uri: "https://run/1" }],
      customInfo: { id: 7 },
      outputs: toLiteralMap({ rows: 3n }),
    });
    const v1 = toV1Resource(wire(connector.Resource, sent));
    expect(v1.phase).toBe(v1core.TaskExecution_Phase.RETRYABLE_FAILED);
    expect(v1.state).toBe(admin.State.RETRYABLE_FAILURE);
    expect(v1.message).toBe("try again");
    expect(v1.logLinks.map((l) => [l.name, l.uri])).toEqual([["Run", "https://run/1"]]);
    expect(v1.customInfo).toEqual({ id: 7 });
    expect(v1.outputs && fromLiteralMap(v1.outputs)).toEqual({ rows: 3n });
    expect(v1.agentError).toBeUndefined();
  });

  it("refuses outputs that repeat a name", () => {
    const lit = v2core.Literal.fromPartial({});
    const bad = connector.Resource.fromPartial({
      phase: v2core.TaskExecution_Phase.SUCCEEDED,
      outputs: {
        literals: [
          { name: "a", value: lit },
          { name: "a", value: lit },
        ],
      },
    });
    expect(() => toV1Resource(bad)).toThrow(TaskInputError);
    expect(() => toV1Resource(bad)).toThrow('outputs: "a" appears more than once');
  });
});

describe("toV1ListAgentsResponse", () => {
  it("lists every connector as async with its categories and no deprecated task types", () => {
    const res = toV1ListAgentsResponse({
      connectors: [
        {
          name: "Databricks",
          supportedTaskCategories: [
            { name: "spark", version: 0 },
            { name: "databricks", version: 1 },
          ],
        },
      ],
    });
    expect(res.agents).toEqual([
      {
        name: "Databricks",
        isSync: false,
        supportedTaskTypes: [],
        supportedTaskCategories: [
          { name: "spark", version: 0 },
          { name: "databricks", version: 1 },
        ],
      },
    ]);
  });
});
