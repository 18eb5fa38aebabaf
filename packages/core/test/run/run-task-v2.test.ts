/**
 * The v2 client side: runTask / executeTask / AgentConnection over flyteidl2 connectors, against
 * the v2 bridge fixture (flyteidl2 services mapped with core's adapter onto a real v1
 * AgentServer). After the v2 server lands in core, the same calls work against AgentServer itself.
 */
import { credentials, Server, ServerCredentials, status } from "@grpc/grpc-js";
import type { connector } from "@flyte-agent/flyteidl/v2";
import {
  type Agent,
  AgentConnection,
  AgentRegistry,
  AgentServer,
  awaitTerminalPhase,
  flyteidl,
  Phase,
  RpcCallError,
  runTask,
  SyncAgent,
  toLiteralMap,
} from "../../src";
import { startV2Bridge, type V2Bridge } from "../fixtures/v2-bridge-server";
import { at, ScriptedAgent } from "./helpers/agents";
import { failure } from "./helpers/failure";

const template = (extra: Partial<flyteidl.core.TaskTemplate> = {}): flyteidl.core.TaskTemplate =>
  flyteidl.core.TaskTemplate.fromPartial({ type: "scripted", taskTypeVersion: 1, ...extra });

const FAST = { pollIntervalMs: 10, maxPollIntervalMs: 30 };
const CONNECTION = { taskType: "scripted", secrets: { api_token: "tok-v2-secret" }, configs: { region: "eu-west-1" } };

class EchoSync extends SyncAgent {
  readonly name = "Echo Sync";
  readonly category = { name: "echo_sync", version: 0 };
  async do() {
    return { phase: Phase.SUCCEEDED, message: "echoed" };
  }
}

async function serve(...agents: Agent[]): Promise<{ v1: string; bridge: V2Bridge; close(): Promise<void> }> {
  const registry = new AgentRegistry();
  for (const a of agents) registry.register(a);
  const server = new AgentServer({ registry, reflection: false });
  const port = await server.listen(0, "127.0.0.1");
  const v1 = `127.0.0.1:${port}`;
  const bridge = await startV2Bridge(v1);
  return {
    v1,
    bridge,
    close: async () => {
      await bridge.close();
      await server.shutdown({ drainMs: 500 });
    },
  };
}

/** The request of a recorded call (failing the test when there is none). */
function requestOf<T>(call: { request: unknown } | undefined): T {
  if (!call) throw new Error("the bridge recorded no such call");
  return call.request as T;
}

describe("runTask with protocol v2", () => {
  test("routes with ListConnectors, runs CreateTask/GetTask to SUCCEEDED, sends the connection with every call", async () => {
    const link = { name: "Console", uri: "https://console.example/job-1" };
    const agent = new ScriptedAgent([
      at(Phase.RUNNING, "half", { logLinks: [link] }),
      at(Phase.SUCCEEDED, "done", { outputs: toLiteralMap({ big: 2n ** 62n, ok: true }), customInfo: { rows: 3 } }),
    ]);
    const env = await serve(agent);
    try {
      const result = await runTask({
        template: template(),
        endpoint: env.bridge.target,
        protocol: "v2",
        connection: CONNECTION,
        ...FAST,
      });
      expect(result.values).toEqual({ big: 2n ** 62n, ok: true });
      expect(result.sync).toBe(false);
      expect(result.timeline.map((t) => t.phaseName)).toEqual(["RUNNING", "SUCCEEDED"]);
      expect(result.logLinks).toEqual([expect.objectContaining(link)]);
      expect(result.customInfo).toEqual({ rows: 3 });
      const ops = env.bridge.calls.map((c) => c.operation);
      expect(ops).toEqual(["ListConnectors", "CreateTask", "GetTask", "GetTask"]);
      for (const call of env.bridge.calls.slice(1)) {
        expect((call.request as connector.GetTaskRequest).connection).toEqual(CONNECTION);
      }
      const create = env.bridge.calls[1]?.request as connector.CreateTaskRequest;
      expect(create.template?.type).toBe("scripted");
      expect(create.outputPrefix).toBe(result.outputPrefix);
      const get = env.bridge.calls[2]?.request as connector.GetTaskRequest;
      expect(get.taskCategory).toEqual({ name: "scripted", version: 1 });
      expect(agent.calls.map((c) => c.op)).toEqual(["create", "get", "get"]);
    } finally {
      await env.close();
    }
  });

  test("a stopped run deletes the task over v2, with the connection", async () => {
    const agent = new ScriptedAgent([at(Phase.RUNNING, "forever")]);
    const env = await serve(agent);
    try {
      const err = await failure(
        runTask({
          template: template(),
          endpoint: env.bridge.target,
          protocol: "v2",
          connection: CONNECTION,
          timeoutMs: 300,
          ...FAST,
        }),
      );
      expect(err.reason).toBe("timeout");
      expect(err.deleted).toBe(true);
      const deletes = env.bridge.calls.filter((c) => c.operation === "DeleteTask");
      expect(deletes).toHaveLength(1);
      expect(requestOf<connector.DeleteTaskRequest>(deletes[0]).connection).toEqual(CONNECTION);
      expect(agent.calls.at(-1)?.op).toBe("delete");
    } finally {
      await env.close();
    }
  });

  test("a sync-only category is not routed over v2 (ListConnectors lists no sync agent)", async () => {
    const env = await serve(new EchoSync(), new ScriptedAgent([at(Phase.SUCCEEDED)]));
    try {
      const err = await failure(
        runTask({ template: template({ type: "echo_sync", taskTypeVersion: 0 }), endpoint: env.bridge.target, protocol: "v2" }),
      );
      expect(err.reason).toBe("invalid");
      expect(err.code).toBe(status.NOT_FOUND);
      expect(err.message).toContain("no agent serves task category echo_sync");
      expect(err.message).toContain("served: scripted@1");
      expect(env.bridge.calls.map((c) => c.operation)).toEqual(["ListConnectors"]);
    } finally {
      await env.close();
    }
  });

  test("a server error keeps its status and message over v2 (no template type)", async () => {
    const env = await serve(new ScriptedAgent([at(Phase.SUCCEEDED)]));
    const connection = new AgentConnection(env.bridge.target, credentials.createInsecure(), { protocol: "v2" });
    try {
      const err = await connection
        .createTask({ template: undefined, inputs: { literals: {} }, outputPrefix: "/tmp/x", taskExecutionMetadata: undefined })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(err).toBeInstanceOf(RpcCallError);
      expect((err as RpcCallError).code).toBe(status.INVALID_ARGUMENT);
      expect((err as RpcCallError).operation).toBe("CreateTask");
    } finally {
      connection.close();
      await env.close();
    }
  });

  test("ExecuteTaskSync over v2 is refused without a call (flyteidl2 has no sync service)", async () => {
    const connection = new AgentConnection("127.0.0.1:1", credentials.createInsecure(), { protocol: "v2" });
    try {
      const err = await connection
        .executeTaskSync(
          { template: template(), outputPrefix: "", taskExecutionMetadata: undefined, maxDatasetSizeBytes: 0n },
          { literals: {} },
        )
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(err).toBeInstanceOf(RpcCallError);
      expect((err as RpcCallError).code).toBe(status.UNIMPLEMENTED);
      expect((err as RpcCallError).details).toContain("flyteidl2 has no sync service");
    } finally {
      connection.close();
    }
  });

  test("a task created over v1 is polled to the end over v2 (same resource_meta bytes)", async () => {
    const agent = new ScriptedAgent([at(Phase.RUNNING), at(Phase.SUCCEEDED, "done", { outputs: toLiteralMap({ n: 7n }) })]);
    const env = await serve(agent);
    const v1 = new AgentConnection(env.v1, credentials.createInsecure());
    const v2 = new AgentConnection(env.bridge.target, credentials.createInsecure(), { protocol: "v2" });
    try {
      const created = await v1.createTask({
        template: template(),
        inputs: { literals: {} },
        outputPrefix: "/tmp/out",
        taskExecutionMetadata: undefined,
      });
      const run = await awaitTerminalPhase(v2, {
        category: { name: "scripted", version: 1 },
        resourceMeta: created.resourceMeta,
        outputPrefix: "/tmp/out",
        ...FAST,
      });
      expect(run.last.phaseName).toBe("SUCCEEDED");
      expect(run.resource.outputs?.literals.n?.value).toMatchObject({ $case: "scalar" });
      const gets = env.bridge.calls.filter((c) => c.operation === "GetTask");
      expect(gets.length).toBe(run.getTaskCalls);
      expect(Buffer.from(requestOf<connector.GetTaskRequest>(gets[0]).resourceMeta)).toEqual(Buffer.from(created.resourceMeta));
    } finally {
      v1.close();
      v2.close();
      await env.close();
    }
  });

  test("a server without the flyteidl2 services: the error says to use protocol v1", async () => {
    const empty = new Server();
    const port = await new Promise<number>((resolve, reject) =>
      empty.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
    );
    try {
      const err = await failure(runTask({ template: template(), endpoint: `127.0.0.1:${port}`, protocol: "v2" }));
      expect(err.reason).toBe("rpc");
      expect(err.code).toBe(status.UNIMPLEMENTED);
      expect(err.message).toContain("CreateTask failed: UNIMPLEMENTED");
      expect(err.message).toContain("this agent service does not serve flyteidl2 connectors: use protocol v1");
    } finally {
      empty.forceShutdown();
    }
  });

  test("bad options fail before anything starts: unknown protocol, a connection over v1", async () => {
    const bad = await failure(runTask({ template: template(), endpoint: "127.0.0.1:1", protocol: "v3" as "v2" }));
    expect(bad.reason).toBe("invalid");
    expect(bad.message).toContain('protocol must be "v1" or "v2", got "v3"');
    const v1Connection = await failure(runTask({ template: template(), endpoint: "127.0.0.1:1", connection: CONNECTION }));
    expect(v1Connection.reason).toBe("invalid");
    expect(v1Connection.message).toContain("a connection is sent only over v2");
    expect(v1Connection.message).not.toContain("tok-v2-secret");
  });
});
