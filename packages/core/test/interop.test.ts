/**
 * Wire compatibility with flyteidl 1.16, checked with an encoder that is not ours: requests are
 * encoded and replies decoded by the protobufjs code shipped in @flyteorg/flyteidl
 * (gen/pb-js/flyteidl.js), sent over real gRPC to the server.
 */
import * as grpc from "@grpc/grpc-js";
import { EchoAgent, FaultyAgent, SyncEchoAgent } from "./fixtures/agents";
import { startHarness, type Harness } from "./fixtures/server";

// biome-ignore lint/suspicious/noExplicitAny: the protobufjs bundle is untyped JavaScript
type Any = any;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const pb: Any = require("@flyteorg/flyteidl/gen/pb-js/flyteidl.js").flyteidl;
const Phase = pb.core.TaskExecution.Phase;
const State = pb.admin.State;

let h: Harness;
let client: grpc.Client;

beforeAll(async () => {
  h = await startHarness([new EchoAgent(), new SyncEchoAgent(), new FaultyAgent()]);
  client = new grpc.Client(h.address, grpc.credentials.createInsecure());
});
afterAll(async () => {
  client.close();
  await h.close();
});

const encode = (type: Any) => (msg: Any) => Buffer.from(type.encode(type.create(msg)).finish());
const decode = (type: Any) => (buf: Buffer) => type.decode(buf);

function call(service: string, method: string, reqType: Any, resType: Any, request: Any): Promise<Any> {
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(
      `/flyteidl.service.${service}/${method}`,
      encode(reqType),
      decode(resType),
      request,
      new grpc.Metadata(),
      { deadline: Date.now() + 5000 },
      (err, res) => (err ? reject(err) : resolve(res)),
    );
  });
}

const A = pb.admin;
const createTask = (req: Any) => call("AsyncAgentService", "CreateTask", A.CreateTaskRequest, A.CreateTaskResponse, req);
const getTask = (req: Any) => call("AsyncAgentService", "GetTask", A.GetTaskRequest, A.GetTaskResponse, req);
const deleteTask = (req: Any) => call("AsyncAgentService", "DeleteTask", A.DeleteTaskRequest, A.DeleteTaskResponse, req);

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "OK";
  } catch (err) {
    return grpc.status[(err as grpc.ServiceError).code] ?? "?";
  }
}

const inputs = {
  literals: {
    big: { scalar: { primitive: { integer: "9007199254740993" } } },
    name: { scalar: { primitive: { stringValue: "ok" } } },
  },
};

describe("interop with @flyteorg/flyteidl's protobufjs encoder", () => {
  it("ListAgents decodes with supported_task_categories and supported_task_types", async () => {
    const res = await call("AgentMetadataService", "ListAgents", A.ListAgentsRequest, A.ListAgentsResponse, {});
    const echo = res.agents.find((a: Any) => a.name === "Echo Agent");
    expect(echo.supportedTaskTypes).toEqual(["echo"]);
    expect(echo.supportedTaskCategories.map((c: Any) => [c.name, c.version])).toEqual([["echo", 0]]);
    expect(res.agents.find((a: Any) => a.name === "Sync Echo").isSync).toBe(true);
  });

  it("CreateTask -> GetTask polling -> DeleteTask, as propeller sends them", async () => {
    const created = await createTask({
      inputs,
      template: { type: "echo", id: { name: "t" }, custom: { fields: {} } },
      outputPrefix: "s3://bucket/prefix/0",
      taskExecutionMetadata: { namespace: "flytesnacks-development", labels: { a: "b" } },
    });
    expect(created.resourceMeta.length).toBeGreaterThan(0);
    // Propeller omits version 0 on the wire and still sends task_type.
    const polled: number[] = [];
    let res: Any;
    for (let i = 0; i < 5; i++) {
      res = await getTask({ taskType: "echo", taskCategory: { name: "echo" }, resourceMeta: created.resourceMeta });
      polled.push(res.resource.phase);
      if (res.resource.phase === Phase.SUCCEEDED) break;
    }
    expect(polled).toEqual([Phase.RUNNING, Phase.SUCCEEDED]);
    expect(res.resource.state).toBe(State.SUCCEEDED);
    expect(res.resource.outputs.literals.big.scalar.primitive.integer.toString()).toBe("9007199254740993");
    expect(res.resource.outputs.literals.name.scalar.primitive.stringValue).toBe("ok");
    const deleted = await deleteTask({ taskType: "echo", taskCategory: { name: "echo" }, resourceMeta: created.resourceMeta });
    expect(A.DeleteTaskResponse.encode(deleted).finish().length).toBe(0);
  });

  it("ExecuteTaskSync: header, then inputs; exactly one header back", async () => {
    const replies: Any[] = await new Promise((resolve, reject) => {
      const stream = client.makeBidiStreamRequest(
        "/flyteidl.service.SyncAgentService/ExecuteTaskSync",
        encode(A.ExecuteTaskSyncRequest),
        decode(A.ExecuteTaskSyncResponse),
        new grpc.Metadata(),
        { deadline: Date.now() + 5000 },
      );
      const out: Any[] = [];
      stream.on("data", (m: Any) => out.push(m));
      stream.on("error", reject);
      stream.on("end", () => resolve(out));
      stream.write({ header: { template: { type: "sync_echo" }, outputPrefix: "s3://x" } });
      stream.write({ inputs });
      stream.end();
    });
    expect(replies).toHaveLength(1);
    expect(replies[0].res).toBe("header");
    expect(replies[0].header.resource.phase).toBe(Phase.SUCCEEDED);
    expect(replies[0].header.resource.outputs.literals.big.scalar.primitive.integer.toString()).toBe("9007199254740993");
  });

  it("GetTaskLogs is a real server stream", async () => {
    const { resourceMeta } = await createTask({ template: { type: "echo" } });
    const parts: Any[] = await new Promise((resolve, reject) => {
      const stream = client.makeServerStreamRequest(
        "/flyteidl.service.AsyncAgentService/GetTaskLogs",
        encode(A.GetTaskLogsRequest),
        decode(A.GetTaskLogsResponse),
        { taskType: "echo", resourceMeta, lines: 10 },
        new grpc.Metadata(),
        { deadline: Date.now() + 5000 },
      );
      const out: Any[] = [];
      stream.on("data", (m: Any) => out.push(m));
      stream.on("error", reject);
      stream.on("end", () => resolve(out));
    });
    expect(parts.map((p) => p.part)).toEqual(["header", "body", "body"]);
    expect(parts[1].body.results[0]).toMatch(/^log of /);
  });

  it("maps every error to its status", async () => {
    const meta = Buffer.from("{}");
    const table: Array<[string, Promise<unknown>, string]> = [
      ["unknown category", createTask({ template: { type: "missing" } }), "NOT_FOUND"],
      ["unknown version", getTask({ taskCategory: { name: "echo", version: 7 }, resourceMeta: meta }), "NOT_FOUND"],
      ["no template", createTask({}), "INVALID_ARGUMENT"],
      ["meta not JSON", getTask({ taskType: "echo", resourceMeta: Buffer.from("%%") }), "INVALID_ARGUMENT"],
      ["meta of another agent", deleteTask({ taskType: "echo", resourceMeta: Buffer.from('{"mode":"ok"}') }), "INVALID_ARGUMENT"],
      [
        "plugin throws",
        createTask({ template: { type: "faulty", taskTypeVersion: 2, custom: { fields: { mode: { stringValue: "throw" } } } } }),
        "INTERNAL",
      ],
      [
        "no metrics",
        call("AsyncAgentService", "GetTaskMetrics", A.GetTaskMetricsRequest, A.GetTaskMetricsResponse, {
          taskCategory: { name: "faulty", version: 2 },
          resourceMeta: Buffer.from('{"mode":"ok"}'),
        }),
        "UNIMPLEMENTED",
      ],
      [
        "GetAgent unknown",
        call("AgentMetadataService", "GetAgent", A.GetAgentRequest, A.GetAgentResponse, { name: "x" }),
        "NOT_FOUND",
      ],
    ];
    const results = await Promise.all(table.map(async ([name, p, want]) => [name, await codeOf(p), want]));
    for (const [name, got, want] of results) expect(`${name}: ${got}`).toBe(`${name}: ${want}`);
  });

  it("garbage bytes are INVALID_ARGUMENT, and the server keeps serving", async () => {
    const raw = (bytes: Buffer) =>
      new Promise<grpc.ServiceError | null>((resolve) => {
        client.makeUnaryRequest(
          "/flyteidl.service.AsyncAgentService/GetTask",
          (b: Buffer) => b,
          (b: Buffer) => b,
          bytes,
          new grpc.Metadata(),
          { deadline: Date.now() + 5000 },
          (err) => resolve(err),
        );
      });
    const err = await raw(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]));
    expect(err && grpc.status[err.code]).toBe("INVALID_ARGUMENT");
    const res = await call("AgentMetadataService", "ListAgents", A.ListAgentsRequest, A.ListAgentsResponse, {});
    expect(res.agents.length).toBe(3);
  });
});
