import { once } from "node:events";
import { type ClientHttp2Session, connect as http2Connect, type IncomingHttpHeaders } from "node:http2";
import { Server, ServerCredentials, type ServiceDefinition, status } from "@grpc/grpc-js";
import { AgentRegistry, AgentServer, flyteidl } from "../src";
import { DirectUnaryCalls } from "../src/server/direct-unary";
import { GuardedListener } from "../src/server/guarded-listener";
import { silentLogger } from "../src/logger";
import { FaultyAgent, StrictAgent } from "./reliability/fixtures/agents";
import { grpcFrame } from "./reliability/fixtures/raw-client";
import { getTask, PATH } from "./reliability/fixtures/requests";

/**
 * Unary calls served off the HTTP/2 stream must look, on the wire, exactly like grpc-js's
 * answers: the same headers, body and trailers, for answers, failures and passed deadlines.
 */

const servers: AgentServer[] = [];
const sessions: ClientHttp2Session[] = [];

async function start(directUnary: boolean): Promise<{ server: AgentServer; address: string }> {
  const registry = new AgentRegistry();
  registry.register(new StrictAgent());
  registry.register(new FaultyAgent());
  const server = new AgentServer({ registry, directUnary });
  servers.push(server);
  return { server, address: `127.0.0.1:${await server.listen(0, "127.0.0.1")}` };
}

afterAll(async () => {
  for (const s of sessions) s.destroy();
  await Promise.all(servers.map((s) => s.shutdown({ drainMs: 1000 })));
});

interface WireAnswer {
  headers: IncomingHttpHeaders;
  trailers: IncomingHttpHeaders | undefined;
  body: Buffer;
}

/** One request over a node:http2 session; resolves with everything the server sent. */
async function exchange(address: string, path: string, body: Buffer, headers: Record<string, string> = {}): Promise<WireAnswer> {
  const session = http2Connect(`http://${address}`);
  sessions.push(session);
  session.on("error", () => undefined);
  const stream = session.request({
    ":method": "POST",
    ":path": path,
    "content-type": "application/grpc",
    te: "trailers",
    ...headers,
  });
  const chunks: Buffer[] = [];
  let trailers: IncomingHttpHeaders | undefined;
  stream.on("data", (c: Buffer) => chunks.push(c));
  stream.on("trailers", (t: IncomingHttpHeaders) => {
    trailers = t;
  });
  stream.end(body);
  const [responseHeaders] = (await once(stream, "response")) as [IncomingHttpHeaders];
  if (!stream.readableEnded) await once(stream, "end");
  session.close();
  return { headers: responseHeaders, trailers, body: Buffer.concat(chunks) };
}

/** Headers without the ones that differ between any two answers (the date). */
function stable(headers: IncomingHttpHeaders | undefined): Record<string, unknown> | undefined {
  if (headers === undefined) return undefined;
  const { date: _date, ...rest } = headers;
  return { ...rest };
}

describe("the same bytes as grpc-js", () => {
  let direct: string;
  let viaGrpcJs: string;
  beforeAll(async () => {
    direct = (await start(true)).address;
    viaGrpcJs = (await start(false)).address;
  });

  const cases: Array<[string, string, Buffer, Record<string, string>]> = [
    ["GetTask answered", PATH.get, grpcFrame(getTask(["rel_task", 1], { jobId: "job-1", n: 1 })), {}],
    ["GetTask of an unknown category (trailers-only failure)", PATH.get, grpcFrame(getTask(["nope", 0], { jobId: "j" })), {}],
    ["GetTask failing in the agent", PATH.get, grpcFrame(getTask(["rel_faulty", 0], { mode: "throw-code" })), {}],
    ["a body without a message", PATH.get, Buffer.alloc(0), {}],
    ["two messages", PATH.get, Buffer.concat([grpcFrame(Buffer.alloc(0)), grpcFrame(Buffer.alloc(0))]), {}],
    ["a message that does not decode", PATH.get, grpcFrame(Buffer.from([0xff, 0xff, 0xff])), {}],
    ["a passed deadline", PATH.get, grpcFrame(getTask(["rel_faulty", 0], { mode: "hang" })), { "grpc-timeout": "50m" }],
    ["health check", "/grpc.health.v1.Health/Check", grpcFrame(Buffer.alloc(0)), {}],
  ];

  test.each(cases)("%s", async (_name, path, body, headers) => {
    const [a, b] = await Promise.all([exchange(direct, path, body, headers), exchange(viaGrpcJs, path, body, headers)]);
    expect(stable(a.headers)).toEqual(stable(b.headers));
    expect(stable(a.trailers)).toEqual(stable(b.trailers));
    expect(a.body.equals(b.body)).toBe(true);
    // Each case is one that answers: a status is always present, in the trailers or trailers-only headers.
    expect(a.trailers?.["grpc-status"] ?? a.headers["grpc-status"]).toBeDefined();
  });
});

describe("DirectUnaryCalls in front of grpc-js", () => {
  const definition = {
    echo: {
      path: "/test.Echo/Echo",
      requestStream: false,
      responseStream: false,
      requestSerialize: (b: Buffer) => b,
      requestDeserialize: (b: Buffer) => b,
      responseSerialize: (b: Buffer) => b,
      responseDeserialize: (b: Buffer) => b,
    },
    echoStream: {
      path: "/test.Echo/EchoStream",
      requestStream: false,
      responseStream: true,
      requestSerialize: (b: Buffer) => b,
      requestDeserialize: (b: Buffer) => b,
      responseSerialize: (b: Buffer) => b,
      responseDeserialize: (b: Buffer) => b,
    },
  } satisfies ServiceDefinition;

  const seen: Array<{ path: string; className: string; metadata: Record<string, unknown>; deadline: unknown }> = [];
  const cancelled: string[] = [];
  let address: string;
  let grpcServer: Server;
  let listener: GuardedListener;

  beforeAll(async () => {
    grpcServer = new Server();
    const direct = new DirectUnaryCalls(1024);
    const implementation = {
      echo: (
        call: {
          request: Buffer;
          metadata: { getMap(): Record<string, unknown> };
          getDeadline(): unknown;
          once(e: "cancelled", l: () => void): void;
        },
        callback: (err: unknown, value?: Buffer) => void,
      ) => {
        seen.push({
          path: "/test.Echo/Echo",
          className: call.constructor.name,
          metadata: call.metadata.getMap(),
          deadline: call.getDeadline(),
        });
        const text = call.request.toString();
        if (text === "hang") {
          call.once("cancelled", () => cancelled.push(text));
          return;
        }
        callback(null, call.request);
      },
      echoStream: (call: { request: Buffer; write(b: Buffer): void; end(): void }) => {
        call.write(call.request);
        call.end();
      },
    };
    grpcServer.addService(definition, implementation as never);
    direct.addService(definition, implementation as never);
    listener = new GuardedListener(
      grpcServer,
      ServerCredentials.createInsecure(),
      { handshakeTimeoutMs: 5000, maxHeaderListBytes: 16 * 1024 },
      silentLogger(),
      { directUnary: direct },
    );
    address = `127.0.0.1:${await listener.listen(0, "127.0.0.1")}`;
  });

  afterAll(async () => {
    // Connections still open (the reset test's) keep the listener from closing until grpc-js drops them.
    grpcServer.forceShutdown();
    await listener.close();
  });

  test("a unary call reaches the handler as a direct call, with metadata and deadline", async () => {
    const before = Date.now();
    const answer = await exchange(address, "/test.Echo/Echo", grpcFrame(Buffer.from("hello")), {
      "x-team": "data",
      "grpc-timeout": "5S",
    });
    expect(answer.body.subarray(5).toString()).toBe("hello");
    expect(answer.trailers?.["grpc-status"]).toBe("0");
    const call = seen.at(-1);
    expect(call?.className).toBe("DirectUnaryCall");
    expect(call?.metadata).toEqual(expect.objectContaining({ "x-team": "data" }));
    expect(call?.metadata).not.toHaveProperty("grpc-timeout");
    expect(call?.deadline).toBeGreaterThanOrEqual(before + 5000);
  });

  test("a streaming method, a compressed request and an unknown path go to grpc-js", async () => {
    const streamed = await exchange(address, "/test.Echo/EchoStream", grpcFrame(Buffer.from("s")));
    expect(streamed.body.subarray(5).toString()).toBe("s");
    expect(streamed.trailers?.["grpc-status"]).toBe("0");

    const count = seen.length;
    const gzipped = await exchange(address, "/test.Echo/Echo", grpcFrame(Buffer.from("z")), { "grpc-encoding": "gzip" });
    expect(seen.length).toBe(count + 1);
    expect(seen.at(-1)?.className).not.toBe("DirectUnaryCall");
    expect(gzipped.trailers?.["grpc-status"]).toBe("0");

    const unknown = await exchange(address, "/test.Echo/Nope", grpcFrame(Buffer.alloc(0)));
    expect(unknown.headers["grpc-status"]).toBe(String(status.UNIMPLEMENTED));
  });

  test("a request over the size limit: RESOURCE_EXHAUSTED, the handler never runs", async () => {
    const count = seen.length;
    const answer = await exchange(address, "/test.Echo/Echo", grpcFrame(Buffer.alloc(4096, 1)));
    expect(answer.headers["grpc-status"]).toBe(String(status.RESOURCE_EXHAUSTED));
    expect(decodeURI(String(answer.headers["grpc-message"]))).toBe("Received message larger than max (4096 vs 1024)");
    expect(seen.length).toBe(count);
  });

  test("a client that resets the stream cancels the call", async () => {
    const session = http2Connect(`http://${address}`);
    sessions.push(session);
    session.on("error", () => undefined);
    const stream = session.request({ ":method": "POST", ":path": "/test.Echo/Echo", "content-type": "application/grpc" });
    stream.on("error", () => undefined);
    const handled = seen.length;
    stream.end(grpcFrame(Buffer.from("hang")));
    while (seen.length === handled) await new Promise((r) => setImmediate(r));
    stream.close();
    while (!cancelled.includes("hang")) await new Promise((r) => setImmediate(r));
    expect(cancelled).toEqual(["hang"]);
  });

  test("the response of a passed deadline is DEADLINE_EXCEEDED, and the handler hears it", async () => {
    cancelled.length = 0;
    const answer = await exchange(address, "/test.Echo/Echo", grpcFrame(Buffer.from("hang")), { "grpc-timeout": "20m" });
    expect(answer.headers["grpc-status"]).toBe(String(status.DEADLINE_EXCEEDED));
    expect(cancelled).toEqual(["hang"]);
  });
});

test("flyteidl's GetTask reply decodes the same from both paths (sanity of the codec reuse)", async () => {
  const { address } = await start(true);
  const answer = await exchange(address, PATH.get, grpcFrame(getTask(["rel_task", 1], { jobId: "job-2", n: 2 })));
  expect(flyteidl.admin.GetTaskResponse.decode(answer.body.subarray(5)).resource?.message).toBe("job job-2 done");
});
