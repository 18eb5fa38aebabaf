/**
 * The foreign flyteidl2 client (@flyteorg/flyteidl2 descriptors + connect-node's gRPC transport)
 * against a small grpc-js server built from our generated flyteidl2 service definitions: every
 * RPC of both services, including the server-streaming GetTaskLogs and an error status.
 */
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { type connector, core, service } from "@flyte-agent/flyteidl/v2";
import { Server, ServerCredentials, status } from "@grpc/grpc-js";
import {
  CreateTaskRequestSchema,
  createFlyteidl2Clients,
  type Flyteidl2Clients,
  TaskExecution_Phase,
} from "./support/flyteidl2-client";

interface EchoMeta {
  type: string;
  n: string;
  secretKeys: string[];
}

function integer(value: bigint): core.Literal {
  return core.Literal.fromPartial({
    value: { $case: "scalar", value: { value: { $case: "primitive", value: { value: { $case: "integer", value } } } } },
  });
}

function readInteger(literal: core.Literal | undefined): bigint | undefined {
  const v = literal?.value;
  if (v?.$case !== "scalar" || v.value.value?.$case !== "primitive") return undefined;
  const p = v.value.value.value.value;
  return p?.$case === "integer" ? p.value : undefined;
}

/** Echo-ish handlers: what the client sent comes back in the replies. */
function echoServer(deleted: string[]): Server {
  const server = new Server();
  const asyncImpl: service.AsyncConnectorServiceServer = {
    createTask(call, callback) {
      const req = call.request;
      const meta: EchoMeta = {
        type: req.template?.type ?? "",
        n: String(readInteger(req.inputs?.literals.find((l) => l.name === "n")?.value)),
        secretKeys: Object.keys(req.connection?.secrets ?? {}),
      };
      callback(null, { resourceMeta: Buffer.from(JSON.stringify(meta)) });
    },
    getTask(call, callback) {
      const meta = JSON.parse(call.request.resourceMeta.toString()) as EchoMeta;
      const resource: connector.Resource = {
        phase: 3, // SUCCEEDED
        message: `${meta.type} done; category ${call.request.taskCategory?.name}; host ${call.request.connection?.configs.host}`,
        logLinks: [core.TaskLog.fromPartial({ name: "Echo", uri: "https://echo/1" })],
        customInfo: { secretKeys: meta.secretKeys },
        outputs: { literals: [{ name: "n", value: integer(BigInt(meta.n) - 1n) }] },
      };
      callback(null, { resource });
    },
    deleteTask(call, callback) {
      deleted.push(call.request.resourceMeta.toString());
      callback(null, {});
    },
    getTaskMetrics(call, callback) {
      callback(null, {
        results: call.request.queries.map((metric) => core.ExecutionMetricResult.fromPartial({ metric, data: { n: 1 } })),
      });
    },
    getTaskLogs(call) {
      call.write({ part: { $case: "header", value: { token: `after-${call.request.token || "start"}` } } });
      for (let i = 0; i < Number(call.request.lines); i++) {
        call.write({
          part: { $case: "body", value: { results: [`line ${i}`], lines: [{ message: `line ${i}`, originator: 1 }] } },
        });
      }
      call.end();
    },
  };
  const metadataImpl: service.ConnectorMetadataServiceServer = {
    listConnectors(_call, callback) {
      callback(null, { connectors: [{ name: "Echo", supportedTaskCategories: [{ name: "echo", version: 0 }] }] });
    },
    getConnector(call, callback) {
      if (call.request.name !== "Echo") {
        callback({ code: status.NOT_FOUND, details: `no connector named "${call.request.name}"` });
        return;
      }
      callback(null, { connector: { name: "Echo", supportedTaskCategories: [{ name: "echo", version: 0 }] } });
    },
  };
  server.addService(service.AsyncConnectorServiceService, asyncImpl);
  server.addService(service.ConnectorMetadataServiceService, metadataImpl);
  return server;
}

describe("flyteidl2 client from @flyteorg/flyteidl2 + connect-node against our generated service definitions", () => {
  const deleted: string[] = [];
  let server: Server;
  let clients: Flyteidl2Clients;

  beforeAll(async () => {
    server = echoServer(deleted);
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
    );
    clients = createFlyteidl2Clients(`127.0.0.1:${port}`);
  });

  afterAll(async () => {
    clients.close();
    await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
  });

  it("creates, gets and deletes a task with inputs and a connection", async () => {
    const created = await clients.connector.createTask(
      create(CreateTaskRequestSchema, {
        template: { type: "echo" },
        inputs: {
          literals: [
            {
              name: "n",
              value: {
                value: {
                  case: "scalar",
                  value: { value: { case: "primitive", value: { value: { case: "integer", value: 9007199254740993n } } } },
                },
              },
            },
          ],
        },
        outputPrefix: "s3://b/p",
        connection: { taskType: "echo", secrets: { echo_token: "s3cr3t" }, configs: { host: "echo.example" } },
      }),
    );
    const meta = JSON.parse(Buffer.from(created.resourceMeta).toString()) as EchoMeta;
    expect(meta).toEqual({ type: "echo", n: "9007199254740993", secretKeys: ["echo_token"] });

    const { resource } = await clients.connector.getTask({
      resourceMeta: created.resourceMeta,
      taskCategory: { name: "echo", version: 0 },
      connection: { taskType: "echo", configs: { host: "echo.example" } },
    });
    expect(resource?.phase).toBe(TaskExecution_Phase.SUCCEEDED);
    expect(resource?.message).toBe("echo done; category echo; host echo.example");
    expect(resource?.logLinks.map((l) => l.uri)).toEqual(["https://echo/1"]);
    expect(resource?.customInfo).toEqual({ secretKeys: ["echo_token"] });
    const out = resource?.outputs?.literals[0];
    expect(out?.name).toBe("n");
    expect(
      out?.value?.value.case === "scalar" &&
        out.value.value.value.value.case === "primitive" &&
        out.value.value.value.value.value.value,
    ).toEqual({ case: "integer", value: 9007199254740992n });

    await clients.connector.deleteTask({ resourceMeta: created.resourceMeta, taskCategory: { name: "echo", version: 0 } });
    expect(deleted).toEqual([Buffer.from(created.resourceMeta).toString()]);
  });

  it("streams GetTaskLogs: a header with the token, then one body per line", async () => {
    const parts: string[] = [];
    for await (const res of clients.connector.getTaskLogs({ resourceMeta: new Uint8Array([123, 125]), lines: 3n, token: "t0" })) {
      if (res.part.case === "header") parts.push(`header:${res.part.value.token}`);
      if (res.part.case === "body") parts.push(`body:${res.part.value.lines.map((l) => l.message).join(",")}`);
    }
    expect(parts).toEqual(["header:after-t0", "body:line 0", "body:line 1", "body:line 2"]);
  });

  it("calls GetTaskMetrics", async () => {
    const res = await clients.connector.getTaskMetrics({ resourceMeta: new Uint8Array([1]), queries: ["cpu", "mem"] });
    expect(res.results.map((r) => r.metric)).toEqual(["cpu", "mem"]);
  });

  it("lists and gets connectors, and sees NOT_FOUND with the server's message", async () => {
    const list = await clients.metadata.listConnectors({});
    expect(list.connectors.map((c) => [c.name, c.supportedTaskCategories.map((t) => `${t.name}/${t.version}`)])).toEqual([
      ["Echo", ["echo/0"]],
    ]);
    expect((await clients.metadata.getConnector({ name: "Echo" })).connector?.name).toBe("Echo");
    const err = await clients.metadata.getConnector({ name: "Nope" }).then(
      () => undefined,
      (e: unknown) => ConnectError.from(e),
    );
    expect(err?.code).toBe(Code.NotFound);
    expect(err?.rawMessage).toBe('no connector named "Nope"');
  });
});
