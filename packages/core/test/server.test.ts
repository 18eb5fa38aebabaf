import { status } from "@grpc/grpc-js";
import { flyteidl, Phase, toLiteralMap, fromLiteralMap } from "../src";
import { EchoAgent, FaultyAgent, NonTerminalSyncAgent, SyncEchoAgent } from "./fixtures/agents";
import { startHarness, unary, type Harness } from "./fixtures/server";

const { admin, core } = flyteidl;

const template = (type: string, version = 0, custom?: Record<string, unknown>) =>
  core.TaskTemplate.fromPartial({ type, taskTypeVersion: version, custom });

let h: Harness;
let echo: EchoAgent;
let faulty: FaultyAgent;

beforeAll(async () => {
  echo = new EchoAgent();
  faulty = new FaultyAgent();
  h = await startHarness([echo, new SyncEchoAgent(), faulty, new NonTerminalSyncAgent()]);
});
afterAll(() => h.close());

type CreateRes = flyteidl.admin.CreateTaskResponse;
type GetRes = flyteidl.admin.GetTaskResponse;

const create = (req: Partial<flyteidl.admin.CreateTaskRequest>, timeoutMs?: number) =>
  unary<flyteidl.admin.CreateTaskRequest, CreateRes>(
    h.asyncClient,
    "createTask",
    admin.CreateTaskRequest.fromPartial(req),
    timeoutMs,
  );
const get = (req: Partial<flyteidl.admin.GetTaskRequest>) =>
  unary<flyteidl.admin.GetTaskRequest, GetRes>(h.asyncClient, "getTask", admin.GetTaskRequest.fromPartial(req));
const del = (req: Partial<flyteidl.admin.DeleteTaskRequest>) =>
  unary<flyteidl.admin.DeleteTaskRequest, object>(h.asyncClient, "deleteTask", admin.DeleteTaskRequest.fromPartial(req));

async function expectStatus(p: Promise<unknown>, code: status, message?: RegExp): Promise<string> {
  const err = (await p.then(
    () => {
      throw new Error(`expected status ${status[code]}, got OK`);
    },
    (e: { code: number; details: string }) => e,
  )) as { code: number; details: string };
  expect(status[err.code]).toBe(status[code]);
  if (message) expect(err.details).toMatch(message);
  return err.details;
}

describe("AsyncAgentService", () => {
  it("runs create -> get (RUNNING, SUCCEEDED with outputs) -> delete, with phase and state always set", async () => {
    const inputs = toLiteralMap({ n: 2n ** 62n, s: "hi", xs: [1.5, 2.5] });
    const { resourceMeta } = await create({ template: template("echo"), inputs, outputPrefix: "s3://b/p" });
    expect(JSON.parse(Buffer.from(resourceMeta).toString())).toMatchObject({ polls: 1 });

    const first = await get({ taskType: "echo", resourceMeta });
    expect(first.resource?.phase).toBe(Phase.RUNNING);
    expect(first.resource?.state).toBe(admin.State.RUNNING);
    expect(first.resource?.logLinks.map((l) => l.name)).toEqual(["Console"]);

    const second = await get({ taskType: "echo", taskCategory: { name: "echo", version: 0 }, resourceMeta });
    expect(second.resource?.phase).toBe(Phase.SUCCEEDED);
    expect(second.resource?.state).toBe(admin.State.SUCCEEDED);
    expect(fromLiteralMap(second.resource?.outputs)).toEqual({ n: 2n ** 62n, s: "hi", xs: [1.5, 2.5] });
    expect(second.resource?.customInfo).toEqual({ polls: 2 });

    await del({ taskType: "echo", resourceMeta });
    expect(echo.deleted).toContain(JSON.parse(Buffer.from(resourceMeta).toString()).jobId);
  });

  it("maps FAILED to PERMANENT_FAILURE with the message", async () => {
    const { resourceMeta } = await create({ template: template("echo", 0, { fail: true }) });
    await get({ taskType: "echo", resourceMeta });
    const res = await get({ taskType: "echo", resourceMeta });
    expect(res.resource?.phase).toBe(Phase.FAILED);
    expect(res.resource?.state).toBe(admin.State.PERMANENT_FAILURE);
    expect(res.resource?.message).toBe("the job failed on purpose");
  });

  it("routes by task_category before the deprecated task_type", async () => {
    const { resourceMeta } = await create({ template: template("faulty", 2) });
    const res = await get({ taskType: "echo", taskCategory: { name: "faulty", version: 2 }, resourceMeta });
    expect(res.resource?.phase).toBe(Phase.RUNNING);
  });

  it("answers NOT_FOUND for an unknown category name or version", async () => {
    await expectStatus(create({ template: template("nope") }), status.NOT_FOUND, /nope@0/);
    await expectStatus(create({ template: template("echo", 3) }), status.NOT_FOUND, /echo@3.*versions served: 0/);
    await expectStatus(get({ taskCategory: { name: "faulty", version: 0 }, resourceMeta: Buffer.from("{}") }), status.NOT_FOUND);
  });

  it("answers INVALID_ARGUMENT for malformed requests and resource_meta", async () => {
    await expectStatus(create({}), status.INVALID_ARGUMENT, /no task template/);
    await expectStatus(get({ resourceMeta: Buffer.from("{}") }), status.INVALID_ARGUMENT, /neither task_category nor task_type/);
    await expectStatus(
      get({ taskType: "echo", resourceMeta: Buffer.from("not json") }),
      status.INVALID_ARGUMENT,
      /not valid JSON/,
    );
    await expectStatus(get({ taskType: "echo", resourceMeta: Buffer.alloc(0) }), status.INVALID_ARGUMENT, /empty/);
    await expectStatus(
      get({ taskType: "echo", resourceMeta: Buffer.from('{"mode":"ok"}') }),
      status.INVALID_ARGUMENT,
      /missing field "jobId"/,
    );
    await expectStatus(
      get({ taskType: "echo", resourceMeta: Buffer.alloc(100_000, 0x20) }),
      status.INVALID_ARGUMENT,
      /limit is 65536/,
    );
    await expectStatus(create({ template: template("echo", 0, { reject: "bad field" }) }), status.INVALID_ARGUMENT, /bad field/);
    await expectStatus(create({ template: template("sync_echo") }), status.INVALID_ARGUMENT, /call ExecuteTaskSync/);
  });

  it("answers INTERNAL naming the agent and operation, without stack frames", async () => {
    const details = await expectStatus(create({ template: template("faulty", 2, { mode: "throw" }) }), status.INTERNAL);
    expect(details).toBe('agent "Faulty Agent" failed to create faulty@2: boom: connection refused');
    const { resourceMeta } = await create({ template: template("faulty", 2, { mode: "invalid" }) });
    await expectStatus(
      get({ taskCategory: { name: "faulty", version: 2 }, resourceMeta }),
      status.INTERNAL,
      /invalid Resource: phase/,
    );
    const undefinedPhase = await create({ template: template("faulty", 2, { mode: "undefined-phase" }) });
    await expectStatus(
      get({ taskCategory: { name: "faulty", version: 2 }, resourceMeta: undefinedPhase.resourceMeta }),
      status.INTERNAL,
      /other than UNDEFINED/,
    );
  });

  it("aborts the plugin's work on the deadline", async () => {
    const before = faulty.aborted;
    await expectStatus(create({ template: template("faulty", 2, { mode: "hang" }) }, 200), status.DEADLINE_EXCEEDED);
    await waitFor(() => faulty.aborted === before + 1);
    // A plugin that ignores its signal still cannot hold the call.
    await expectStatus(create({ template: template("faulty", 2, { mode: "ignore-signal" }) }, 200), status.DEADLINE_EXCEEDED);
    await waitFor(() => h.server.inFlight === 0);
  });

  it("aborts the plugin's work when the client cancels", async () => {
    await waitFor(() => h.server.inFlight === 0);
    const before = faulty.aborted;
    const call = h.asyncClient.createTask(
      admin.CreateTaskRequest.fromPartial({ template: template("faulty", 2, { mode: "hang" }) }),
      () => undefined,
    );
    await waitFor(() => h.server.inFlight === 1);
    call.cancel();
    await waitFor(() => faulty.aborted === before + 1);
  });

  it("answers UNIMPLEMENTED for optional methods the agent lacks", async () => {
    const { resourceMeta } = await create({ template: template("faulty", 2) });
    await expectStatus(
      unary(
        h.asyncClient,
        "getTaskMetrics",
        admin.GetTaskMetricsRequest.fromPartial({ taskCategory: { name: "faulty", version: 2 }, resourceMeta }),
      ),
      status.UNIMPLEMENTED,
      /does not provide task metrics/,
    );
  });

  it("streams GetTaskLogs as a header then bodies", async () => {
    const { resourceMeta } = await create({ template: template("echo") });
    const stream = h.asyncClient.getTaskLogs(
      admin.GetTaskLogsRequest.fromPartial({ taskType: "echo", resourceMeta, token: "t0" }),
    );
    const parts: flyteidl.admin.GetTaskLogsResponse[] = [];
    for await (const part of stream) parts.push(part as flyteidl.admin.GetTaskLogsResponse);
    expect(parts.map((p) => p.part?.$case)).toEqual(["header", "body", "body"]);
    const [header, body1, body2] = parts;
    expect(header?.part?.$case === "header" && header.part.value.token).toBe("page-1");
    expect(body1?.part?.$case === "body" && body1.part.value.structuredLines[1]).toMatchObject({
      message: "system line",
      originator: admin.LogLineOriginator.SYSTEM,
    });
    expect(body2?.part?.$case === "body" && body2.part.value.results).toEqual(['token was "t0"']);
  });
});

describe("SyncAgentService", () => {
  function executeSync(messages: flyteidl.admin.ExecuteTaskSyncRequest[]): Promise<flyteidl.admin.ExecuteTaskSyncResponse[]> {
    return new Promise((resolve, reject) => {
      const call = h.syncClient.executeTaskSync();
      const replies: flyteidl.admin.ExecuteTaskSyncResponse[] = [];
      call.on("data", (r: flyteidl.admin.ExecuteTaskSyncResponse) => replies.push(r));
      call.on("error", reject);
      call.on("end", () => resolve(replies));
      for (const m of messages) call.write(m);
      call.end();
    });
  }
  const header = (type: string) =>
    admin.ExecuteTaskSyncRequest.fromPartial({
      part: { $case: "header", value: admin.CreateRequestHeader.fromPartial({ template: template(type) }) },
    });
  const inputs = (values: Record<string, string>) =>
    admin.ExecuteTaskSyncRequest.fromPartial({ part: { $case: "inputs", value: toLiteralMap(values) } });

  it("answers header-then-inputs with exactly one terminal header", async () => {
    const replies = await executeSync([header("sync_echo"), inputs({ a: "b" })]);
    expect(replies).toHaveLength(1);
    const res = replies[0]?.res;
    expect(res?.$case).toBe("header");
    const resource = res?.$case === "header" ? res.value.resource : undefined;
    expect(resource?.phase).toBe(Phase.SUCCEEDED);
    expect(resource?.state).toBe(admin.State.SUCCEEDED);
    expect(fromLiteralMap(resource?.outputs)).toEqual({ a: "b" });
  });

  it("fails fast for an async category, inputs first, or a non-terminal answer", async () => {
    await expectStatus(executeSync([header("echo"), inputs({})]), status.INVALID_ARGUMENT, /call CreateTask/);
    await expectStatus(executeSync([inputs({}), header("sync_echo")]), status.INVALID_ARGUMENT, /first .* must be the header/);
    await expectStatus(executeSync([header("sync_running"), inputs({})]), status.INTERNAL, /must return a terminal phase/);
    await expectStatus(executeSync([header("missing"), inputs({})]), status.NOT_FOUND);
  });
});

describe("AgentMetadataService", () => {
  it("lists agents with categories and deprecated task types", async () => {
    const res = await unary<object, flyteidl.admin.ListAgentsResponse>(h.metadataClient, "listAgents", {});
    const byName = Object.fromEntries(res.agents.map((a) => [a.name, a]));
    expect(byName["Echo Agent"]).toMatchObject({
      isSync: false,
      supportedTaskTypes: ["echo"],
      supportedTaskCategories: [{ name: "echo", version: 0 }],
    });
    expect(byName["Faulty Agent"]).toMatchObject({
      supportedTaskTypes: [],
      supportedTaskCategories: [{ name: "faulty", version: 2 }],
    });
    expect(byName["Sync Echo"]?.isSync).toBe(true);
  });

  it("gets one agent or NOT_FOUND", async () => {
    const res = await unary<object, flyteidl.admin.GetAgentResponse>(h.metadataClient, "getAgent", { name: "Sync Echo" });
    expect(res.agent?.supportedTaskCategories).toEqual([{ name: "sync_echo", version: 0 }]);
    await expectStatus(unary(h.metadataClient, "getAgent", { name: "Nobody" }), status.NOT_FOUND, /Nobody/);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error("condition not met in time");
    await new Promise((r) => setImmediate(r));
  }
}
