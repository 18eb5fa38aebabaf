/**
 * The one handler wrapper, seen from a client: metadata calls get metrics and a log line like
 * task calls, and a failed call carries its cause (a real refused connection) in the reply and
 * in the server's log line.
 */
import { createServer } from "node:net";
import { Writable } from "node:stream";
import * as grpc from "@grpc/grpc-js";
import {
  AgentError,
  AgentMetrics,
  AgentRegistry,
  AgentServer,
  AsyncAgent,
  type CreateContext,
  createLogger,
  flyteidl,
  Phase,
  type Resource,
} from "../src";
import { unary } from "./fixtures/server";

/** A port nothing listens on: bound once by the OS, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Calls an HTTP service that is not there, with the platform's own fetch. */
class UnreachableServiceAgent extends AsyncAgent<{ id: string }> {
  readonly name = "Unreachable Service Agent";
  readonly category = { name: "unreachable", version: 0 };
  constructor(private readonly url: string) {
    super();
  }
  async create(ctx: CreateContext): Promise<{ id: string }> {
    await fetch(this.url, { signal: ctx.signal });
    return { id: "never" };
  }
  async get(): Promise<Resource> {
    return { phase: Phase.RUNNING };
  }
  async delete(): Promise<void> {}
}

/** Chooses its status and says why, the way an agent wraps a lower-level error. */
class WarehouseDownAgent extends AsyncAgent<{ id: string }> {
  readonly name = "Warehouse Down Agent";
  readonly category = { name: "warehouse_down", version: 0 };
  async create(): Promise<{ id: string }> {
    const cause = Object.assign(new Error("connect ETIMEDOUT 10.0.0.7:5432"), { code: "ETIMEDOUT" });
    throw Object.assign(new AgentError(grpc.status.UNAVAILABLE, "warehouse unreachable"), { cause });
  }
  async get(): Promise<Resource> {
    return { phase: Phase.RUNNING };
  }
  async delete(): Promise<void> {}
}

let server: AgentServer;
let metrics: AgentMetrics;
let address: string;
let unreachablePort: number;
const logLines: Array<Record<string, unknown>> = [];

beforeAll(async () => {
  unreachablePort = await closedPort();
  const registry = new AgentRegistry();
  registry.register(new UnreachableServiceAgent(`http://127.0.0.1:${unreachablePort}/jobs`));
  registry.register(new WarehouseDownAgent());
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split("\n").filter(Boolean)) logLines.push(JSON.parse(line));
      done();
    },
  });
  metrics = new AgentMetrics({ defaultMetrics: false });
  server = new AgentServer({ registry, metrics, logger: createLogger({ level: "info", destination }) });
  address = `127.0.0.1:${await server.listen(0, "127.0.0.1")}`;
});
afterAll(() => server.shutdown({ drainMs: 1000 }));

const requestLines = (operation: string) => logLines.filter((l) => l.operation === operation);

describe("metadata calls go through the handler", () => {
  let client: InstanceType<typeof flyteidl.service.AgentMetadataServiceClient>;
  beforeAll(() => {
    client = new flyteidl.service.AgentMetadataServiceClient(address, grpc.credentials.createInsecure());
  });
  afterAll(() => client.close());

  it("ListAgents is counted and logged", async () => {
    const reply = await unary<object, flyteidl.admin.ListAgentsResponse>(client, "listAgents", {});
    expect(reply.agents.map((a) => a.name).sort()).toEqual(["Unreachable Service Agent", "Warehouse Down Agent"]);
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/flyte_connector_requests_success_total\{task_type="unknown",operation="list_agents",protocol="v1"\} 1/);
    expect(requestLines("list_agents")).toEqual([expect.objectContaining({ msg: "request", status: "OK" })]);
  });

  it("GetAgent is counted and logged, with the agent's name; an unknown name is NOT_FOUND with a warning line", async () => {
    const found = await unary<object, flyteidl.admin.GetAgentResponse>(client, "getAgent", {
      name: "Unreachable Service Agent",
    });
    expect(found.agent?.name).toBe("Unreachable Service Agent");
    await expect(unary(client, "getAgent", { name: "Nobody" })).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/flyte_connector_requests_success_total\{task_type="unknown",operation="get_agent",protocol="v1"\} 1/);
    expect(text).toMatch(
      /flyte_connector_requests_failure_total\{task_type="unknown",operation="get_agent",error_code="NOT_FOUND",protocol="v1"\} 1/,
    );
    expect(requestLines("get_agent")).toEqual([
      expect.objectContaining({ level: "info", status: "OK", agent: "Unreachable Service Agent" }),
      expect.objectContaining({ level: "warn", status: "NOT_FOUND", error: expect.stringContaining("Nobody") }),
    ]);
  });
});

describe("a failed call names its cause", () => {
  it("a refused connection reaches the client and the log line as ECONNREFUSED with the address", async () => {
    const client = new flyteidl.service.AsyncAgentServiceClient(address, grpc.credentials.createInsecure());
    try {
      const request = flyteidl.admin.CreateTaskRequest.fromPartial({ template: { type: "unreachable" } });
      const failure = await unary(client, "createTask", request).then(
        () => undefined,
        (err: grpc.ServiceError) => err,
      );
      expect(failure?.code).toBe(grpc.status.INTERNAL);
      const expected = `ECONNREFUSED 127.0.0.1:${unreachablePort}`;
      expect(failure?.details).toMatch(/^agent "Unreachable Service Agent" failed to create unreachable@0: fetch failed: /);
      expect(failure?.details).toContain(expected);
      const line = requestLines("create").at(-1);
      expect(line).toMatchObject({ level: "error", status: "INTERNAL", msg: "request failed" });
      expect(line?.error).toBe(failure?.details);
    } finally {
      client.close();
    }
  });

  it("an agent's chosen status keeps its message, followed by its cause", async () => {
    const client = new flyteidl.service.AsyncAgentServiceClient(address, grpc.credentials.createInsecure());
    try {
      const request = flyteidl.admin.CreateTaskRequest.fromPartial({ template: { type: "warehouse_down" } });
      await expect(unary(client, "createTask", request)).rejects.toMatchObject({
        code: grpc.status.UNAVAILABLE,
        details: "warehouse unreachable: connect ETIMEDOUT 10.0.0.7:5432",
      });
      expect(requestLines("create").at(-1)).toMatchObject({
        level: "warn",
        status: "UNAVAILABLE",
        error: "warehouse unreachable: connect ETIMEDOUT 10.0.0.7:5432",
      });
    } finally {
      client.close();
    }
  });
});

describe("log lines and labels stay small whatever the client sent", () => {
  it("a 1 MiB unknown task type: NOT_FOUND, a log line under 1 KiB, and the metric labelled unknown", async () => {
    const client = new flyteidl.service.AsyncAgentServiceClient(address, grpc.credentials.createInsecure());
    try {
      const huge = "q".repeat(1024 * 1024);
      const request = flyteidl.admin.GetTaskRequest.fromPartial({
        taskCategory: { name: huge, version: 3 },
        resourceMeta: Buffer.from("{}"),
      });
      const failure = await unary(client, "getTask", request).then(
        () => undefined,
        (err: grpc.ServiceError) => err,
      );
      expect(failure?.code).toBe(grpc.status.NOT_FOUND);
      const line = requestLines("get").at(-1);
      expect(line).toMatchObject({ level: "warn", status: "NOT_FOUND", category: `${"q".repeat(200)}… (1048576 bytes)@3` });
      expect(JSON.stringify(line).length).toBeLessThan(1024);
      const text = await metrics.registry.metrics();
      expect(text).toMatch(/requests_failure_total\{task_type="unknown",operation="get",error_code="NOT_FOUND"[^}]*\} 1/);
      expect(text).not.toContain("qqqq");
    } finally {
      client.close();
    }
  });
});
