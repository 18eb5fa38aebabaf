/**
 * Our server's flyteidl2 connector services, driven by a client we did not write
 * (`@flyteorg/flyteidl2` + connect-node): the task lifecycle, tasks moving between flyteidl 1
 * and flyteidl2, sync agents, bad input with the statuses v1 gives, and connections (seen only
 * by their call, redacted, never in resource_meta).
 */
import { Writable } from "node:stream";
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import {
  AgentError,
  AsyncAgent,
  type CallContext,
  type CreateContext,
  createLogger,
  expectMetaFields,
  fromLiteralMap,
  type LogsChunk,
  Phase,
  requireSecret,
  type Resource,
  StatusCode,
  SyncAgent,
  toLiteralMap,
} from "@flyte-agent/core";
import { type RpcError, startTestServer, type TestServer, taskTemplate } from "../src";
import {
  CreateTaskRequestSchema,
  createFlyteidl2Clients,
  type Flyteidl2Clients,
  TaskExecution_Phase,
} from "./support/flyteidl2-client";

interface EchoMeta {
  value: string;
}

/** RUNNING on the first GetTask of a task, SUCCEEDED (echoing input `value`) after; has logs. */
class EchoAgent extends AsyncAgent<EchoMeta> {
  readonly name = "Echo";
  readonly category = { name: "echo", version: 0 };
  readonly deleted: string[] = [];
  private readonly polled = new Set<string>();
  async create(ctx: CreateContext): Promise<EchoMeta> {
    const value = fromLiteralMap(ctx.inputs).value;
    return { value: typeof value === "string" ? value : "" };
  }
  async get(meta: EchoMeta): Promise<Resource> {
    const first = !this.polled.has(meta.value);
    this.polled.add(meta.value);
    if (first) return { phase: Phase.RUNNING, message: "echoing", logLinks: [{ name: "Echo", uri: "https://echo/1" }] };
    return { phase: Phase.SUCCEEDED, outputs: toLiteralMap({ value: meta.value }), customInfo: { n: 1 } };
  }
  async delete(meta: EchoMeta): Promise<void> {
    this.deleted.push(meta.value);
  }
  override async *getLogs(meta: EchoMeta): AsyncIterable<LogsChunk> {
    yield { nextToken: "t1", lines: [`echo ${meta.value}`] };
  }
  protected override validateMeta(value: unknown): EchoMeta {
    return expectMetaFields<EchoMeta>(value, { value: "string" });
  }
}

class EchoSync extends SyncAgent {
  readonly name = "Echo Sync";
  readonly category = { name: "echo_sync", version: 0 };
  async do(ctx: CreateContext): Promise<Resource> {
    return { phase: Phase.SUCCEEDED, outputs: ctx.inputs };
  }
}

/** Reads `api_token` (connection first, then pod secrets) and checks its format. */
class KeyedAgent extends AsyncAgent<{ id: string }> {
  readonly name = "Keyed";
  readonly category = { name: "keyed", version: 0 };
  /** What each create saw of its connection, in arrival order. */
  readonly seen: Array<{ own: string; all: string[] }> = [];
  private waiting: Array<() => void> = [];
  /** Creates wait here until this many have arrived, so calls overlap. */
  overlap = 1;

  private token(ctx: CallContext): string {
    const token = requireSecret("api_token", { connection: ctx.connection, env: {}, dir: "/nonexistent", what: "API token" });
    if (!token.startsWith("tok-")) {
      throw new AgentError(StatusCode.FAILED_PRECONDITION, `the API token must start with "tok-"; got ${token}`);
    }
    return token;
  }
  async create(ctx: CreateContext): Promise<{ id: string }> {
    const own = this.token(ctx);
    this.waiting.push(() => undefined);
    if (this.waiting.length < this.overlap) await new Promise<void>((resolve) => this.waiting.splice(-1, 1, resolve));
    else for (const wake of this.waiting.splice(0)) wake();
    this.seen.push({ own, all: Object.values(ctx.connection?.secrets ?? {}) });
    ctx.log.info({ token: own, nested: { again: [own] } }, `using token ${own}`);
    const id = fromLiteralMap(ctx.inputs).id;
    if (id === "leak") return { id: own };
    return { id: typeof id === "string" ? id : "x" };
  }
  async get(_meta: { id: string }, ctx: CallContext): Promise<Resource> {
    throw new Error(`the service refused ${this.token(ctx)}`);
  }
  async delete(): Promise<void> {}
}

function logSink(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString("utf8"));
      done();
    },
  });
  return { stream, text: () => chunks.join("") };
}

const stringLiteral = (value: string) => ({
  value: {
    case: "scalar" as const,
    value: { value: { case: "primitive" as const, value: { value: { case: "stringValue" as const, value } } } },
  },
});

const connectError = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error("expected the call to fail");
    },
    (e: unknown) => ConnectError.from(e),
  );
const rpcError = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error("expected the call to fail");
    },
    (e: RpcError) => e,
  );

let echo: EchoAgent;
let keyed: KeyedAgent;
let server: TestServer;
let v2: Flyteidl2Clients;
const logs = logSink();

beforeAll(async () => {
  echo = new EchoAgent();
  keyed = new KeyedAgent();
  server = await startTestServer({
    agents: [echo, new EchoSync(), keyed],
    server: { logger: createLogger({ level: "debug", destination: logs.stream }) },
  });
  v2 = createFlyteidl2Clients(server.address);
});
afterAll(async () => {
  v2.close();
  await server.close();
});

const echoCategory = { name: "echo", version: 0 };

async function pollV2(resourceMeta: Uint8Array, category = echoCategory) {
  const phases: TaskExecution_Phase[] = [];
  for (;;) {
    const { resource } = await v2.connector.getTask({ resourceMeta, taskCategory: category });
    if (!resource) throw new Error("GetTask answered without a resource");
    if (phases.at(-1) !== resource.phase) phases.push(resource.phase);
    if (resource.phase === TaskExecution_Phase.SUCCEEDED || resource.phase === TaskExecution_Phase.FAILED)
      return { resource, phases };
  }
}

describe("a task over flyteidl2", () => {
  it("is created, polled until terminal with outputs as named literals, and deleted", async () => {
    const created = await v2.connector.createTask(
      create(CreateTaskRequestSchema, {
        template: { type: "echo" },
        inputs: { literals: [{ name: "value", value: stringLiteral("hello") }] },
        outputPrefix: "s3://b/run/0",
      }),
    );
    const { resource, phases } = await pollV2(created.resourceMeta);
    expect(phases).toEqual([TaskExecution_Phase.RUNNING, TaskExecution_Phase.SUCCEEDED]);
    expect(resource.customInfo).toEqual({ n: 1 });
    expect(resource.outputs?.literals.map((l) => [l.name, l.value?.value.case])).toEqual([["value", "scalar"]]);
    expect(JSON.stringify(resource.outputs?.literals[0]?.value, (_k, v) => (typeof v === "bigint" ? String(v) : v))).toContain(
      '"hello"',
    );
    await v2.connector.deleteTask({ resourceMeta: created.resourceMeta, taskCategory: echoCategory });
    expect(echo.deleted).toContain("hello");
  });

  it("streams GetTaskLogs and answers UNIMPLEMENTED for GetTaskMetrics the agent lacks, as v1 does", async () => {
    const { resourceMeta } = await v2.connector.createTask({
      template: { type: "echo" },
      inputs: { literals: [{ name: "value", value: stringLiteral("l") }] },
    });
    const parts: string[] = [];
    for await (const res of v2.connector.getTaskLogs({ resourceMeta, taskCategory: echoCategory })) {
      if (res.part.case === "header") parts.push(`header:${res.part.value.token}`);
      if (res.part.case === "body") parts.push(`body:${res.part.value.lines.map((l) => l.message).join(",")}`);
    }
    expect(parts).toEqual(["header:t1", "body:echo l"]);
    const err = await connectError(v2.connector.getTaskMetrics({ resourceMeta, taskCategory: echoCategory, queries: ["cpu"] }));
    expect(err.code).toBe(Code.Unimplemented);
    expect(err.rawMessage).toBe('agent "Echo" does not provide task metrics');
  });

  it("created over v1 is polled and deleted over v2", async () => {
    const meta = await server.client.createTask({
      template: taskTemplate({ type: "echo" }),
      inputs: toLiteralMap({ value: "from-v1" }),
    });
    const { resource } = await pollV2(meta);
    expect(resource.outputs?.literals[0]?.name).toBe("value");
    await v2.connector.deleteTask({ resourceMeta: meta, taskCategory: echoCategory });
    expect(echo.deleted).toContain("from-v1");
  });

  it("created over v2 is polled and deleted over v1", async () => {
    const { resourceMeta } = await v2.connector.createTask({
      template: { type: "echo" },
      inputs: { literals: [{ name: "value", value: stringLiteral("from-v2") }] },
    });
    let resource = await server.client.getTask(echoCategory, resourceMeta);
    while (resource.phase !== Phase.SUCCEEDED) resource = await server.client.getTask(echoCategory, resourceMeta);
    expect(fromLiteralMap(resource.outputs)).toEqual({ value: "from-v2" });
    await server.client.deleteTask(echoCategory, resourceMeta);
    expect(echo.deleted).toContain("from-v2");
  });
});

describe("sync agents are flyteidl 1 only", () => {
  it("are left out of ListConnectors (v1 ListAgents still lists them)", async () => {
    const { connectors } = await v2.metadata.listConnectors({});
    expect(connectors.map((c) => c.name).sort()).toEqual(["Echo", "Keyed"]);
    expect((await server.client.listAgents()).map((a) => a.name)).toContain("Echo Sync");
  });

  it("CreateTask and GetConnector answer FAILED_PRECONDITION naming the v1 sync service", async () => {
    const err = await connectError(v2.connector.createTask({ template: { type: "echo_sync" } }));
    expect(err.code).toBe(Code.FailedPrecondition);
    expect(err.rawMessage).toBe(
      'task category echo_sync@0 is served by the sync agent "Echo Sync"; flyteidl2 has no sync service: call flyteidl.service.SyncAgentService/ExecuteTaskSync (Flyte 1) instead',
    );
    const byName = await connectError(v2.metadata.getConnector({ name: "Echo Sync" }));
    expect(byName.code).toBe(Code.FailedPrecondition);
    expect(byName.rawMessage).toContain("flyteidl.service.SyncAgentService/ExecuteTaskSync");
    expect((await v2.metadata.getConnector({ name: "Echo" })).connector?.supportedTaskCategories).toEqual([
      expect.objectContaining({ name: "echo", version: 0 }),
    ]);
  });
});

describe("bad input gets the status v1 gives, with a message naming the problem", () => {
  it("no template", async () => {
    const err = await connectError(v2.connector.createTask({}));
    const v1 = await rpcError(server.client.createTask({ template: undefined as never }));
    expect([err.code, err.rawMessage]).toEqual([Code.InvalidArgument, "request has no task template"]);
    expect(v1.code).toBe(StatusCode.INVALID_ARGUMENT);
    expect(v1.details).toBe(err.rawMessage);
  });

  it("malformed inputs: a repeated name, a literal without a value", async () => {
    const twice = await connectError(
      v2.connector.createTask({
        template: { type: "echo" },
        inputs: {
          literals: [
            { name: "value", value: stringLiteral("a") },
            { name: "value", value: stringLiteral("b") },
          ],
        },
      }),
    );
    expect([twice.code, twice.rawMessage]).toEqual([Code.InvalidArgument, 'inputs: "value" appears more than once']);
    const empty = await connectError(
      v2.connector.createTask({ template: { type: "echo" }, inputs: { literals: [{ name: "value" }] } }),
    );
    expect([empty.code, empty.rawMessage]).toEqual([Code.InvalidArgument, 'inputs: "value" has no value']);
  });

  it("an unknown category: NOT_FOUND with the same message as v1", async () => {
    const err = await connectError(v2.connector.createTask({ template: { type: "nope" } }));
    const v1 = await rpcError(server.client.createTask({ template: taskTemplate({ type: "nope" }) }));
    expect(err.code).toBe(Code.NotFound);
    expect(v1.code).toBe(StatusCode.NOT_FOUND);
    expect(err.rawMessage).toBe(v1.details);
    const get = await connectError(v2.connector.getTask({ resourceMeta: new Uint8Array([1]), taskCategory: { name: "nope" } }));
    expect(get.code).toBe(Code.NotFound);
  });

  it("GetTask without a category or with empty resource_meta", async () => {
    const noCategory = await connectError(v2.connector.getTask({ resourceMeta: new Uint8Array([1]) }));
    expect([noCategory.code, noCategory.rawMessage]).toEqual([
      Code.InvalidArgument,
      "request has neither task_category nor task_type",
    ]);
    const noMeta = await connectError(v2.connector.getTask({ taskCategory: echoCategory }));
    expect([noMeta.code, noMeta.rawMessage]).toEqual([Code.InvalidArgument, "resource_meta is empty"]);
  });

  it("a connection missing the secret: FAILED_PRECONDITION naming the key (v1 without the pod secret likewise)", async () => {
    const err = await connectError(
      v2.connector.createTask({ template: { type: "keyed" }, connection: { secrets: { other_token: "tok-unrelated-1" } } }),
    );
    expect(err.code).toBe(Code.FailedPrecondition);
    expect(err.rawMessage).toContain('no API token: the connection has no secret "api_token"');
    expect(err.rawMessage).not.toContain("tok-unrelated-1");
    const v1 = await rpcError(server.client.createTask({ template: taskTemplate({ type: "keyed" }) }));
    expect(v1.code).toBe(StatusCode.FAILED_PRECONDITION);
    expect(v1.details).toContain("no API token: set _FSEC_API_TOKEN or mount /nonexistent/api_token on the agent");
  });

  it("a secret in the wrong format: the plugin's status, the value redacted", async () => {
    const err = await connectError(
      v2.connector.createTask({ template: { type: "keyed" }, connection: { secrets: { api_token: "wrong-format-value-77" } } }),
    );
    expect(err.code).toBe(Code.FailedPrecondition);
    expect(err.rawMessage).toBe('the API token must start with "tok-"; got [REDACTED]');
    expect(logs.text()).not.toContain("wrong-format-value-77");
  });
});

describe("connections", () => {
  it("are seen only by the call that carried them, and redacted from its logs and errors", async () => {
    keyed.overlap = 2;
    keyed.seen.length = 0;
    const call = (token: string, id: string) =>
      v2.connector.createTask({
        template: { type: "keyed" },
        inputs: { literals: [{ name: "id", value: stringLiteral(id) }] },
        connection: { taskType: "keyed", secrets: { api_token: token } },
      });
    const [a, b] = await Promise.all([call("tok-alice-0001", "a"), call("tok-bob-0002", "b")]);
    keyed.overlap = 1;
    expect(keyed.seen.map((s) => s.own).sort()).toEqual(["tok-alice-0001", "tok-bob-0002"]);
    for (const s of keyed.seen) expect(s.all).toEqual([s.own]);
    for (const meta of [a.resourceMeta, b.resourceMeta]) expect(Buffer.from(meta).toString()).not.toMatch(/tok-/);
    const text = logs.text();
    expect(text).toContain('"msg":"using token [REDACTED]"');
    expect(text).toContain('"nested":{"again":["[REDACTED]"]}');
    expect(text).not.toContain("tok-alice-0001");
    expect(text).not.toContain("tok-bob-0002");

    const failed = await connectError(
      v2.connector.getTask({
        resourceMeta: a.resourceMeta,
        taskCategory: { name: "keyed" },
        connection: { secrets: { api_token: "tok-alice-0001" } },
      }),
    );
    expect(failed.code).toBe(Code.Internal);
    expect(failed.rawMessage).toBe('agent "Keyed" failed to get keyed@0: the service refused [REDACTED]');
  });

  it("never reach resource_meta: an agent that puts one there gets INTERNAL, without the value", async () => {
    const err = await connectError(
      v2.connector.createTask({
        template: { type: "keyed" },
        inputs: { literals: [{ name: "id", value: stringLiteral("leak") }] },
        connection: { secrets: { api_token: "tok-leaky-0003" } },
      }),
    );
    expect(err.code).toBe(Code.Internal);
    expect(err.rawMessage).toContain("put a secret of the task's connection into resource_meta");
    expect(err.rawMessage).not.toContain("tok-leaky-0003");
  });
});
