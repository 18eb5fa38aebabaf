import { once } from "node:events";
import { type ClientHttp2Session, connect as http2Connect, constants as h2 } from "node:http2";
import { status } from "@grpc/grpc-js";
import { AgentRegistry, AgentServer, type AgentServerOptions } from "../../src";
import { makeCerts, type TestCerts } from "../fixtures/certs";
import { FaultyAgent, StrictAgent } from "./fixtures/agents";
import { FRAME, frame, grpcHeadersFrame, H2_ERROR, PREFACE, RawH2Connection, settingsFrame } from "./fixtures/h2-frames";
import { grpcFrame, RawClient } from "./fixtures/raw-client";
import { getTask, PATH } from "./fixtures/requests";

/**
 * Connection hygiene, seen from the wire: raw sockets and node:http2 sessions against a real
 * AgentServer.
 */

const END_STREAM = 0x1;
const HANDSHAKE_MS = 1000;
const IDLE_MS = 1000;
/** Slack for a loaded machine on top of a limit. */
const SLACK_MS = 2000;

const servers: AgentServer[] = [];
const cleanups: Array<() => void> = [];

async function start(options: Partial<AgentServerOptions>): Promise<string> {
  const registry = new AgentRegistry();
  registry.register(new StrictAgent());
  registry.register(new FaultyAgent());
  const server = new AgentServer({ registry, ...options });
  servers.push(server);
  return `127.0.0.1:${await server.listen(0, "127.0.0.1")}`;
}

let guarded: string;
let idle: string;
let tls: string;
let certs: TestCerts;

beforeAll(async () => {
  certs = makeCerts();
  guarded = await start({ handshakeTimeoutMs: HANDSHAKE_MS, maxConcurrentStreams: 4, maxHeaderListBytes: 8 * 1024 });
  idle = await start({ maxConnectionIdleMs: IDLE_MS });
  tls = await start({
    handshakeTimeoutMs: HANDSHAKE_MS,
    tls: { certFile: certs.serverCertFile, keyFile: certs.serverKeyFile },
  });
});

afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.shutdown({ drainMs: 1000 })));
});

function session(address: string, secure = false): ClientHttp2Session {
  const s = secure ? http2Connect(`https://${address}`, { ca: certs.caCert }) : http2Connect(`http://${address}`);
  s.on("error", () => undefined);
  cleanups.push(() => s.destroy());
  return s;
}

async function raw(address: string): Promise<RawH2Connection> {
  const c = await RawH2Connection.open(address);
  cleanups.push(() => c.close());
  return c;
}

/** One GetTask on an http2 session: resolves with grpc-status (and the stream's RST code, if reset). */
function http2GetTask(s: ClientHttp2Session, mode: string): Promise<{ grpcStatus?: number; rstCode: number }> {
  return new Promise((resolve) => {
    const req = s.request({ ":method": "POST", ":path": PATH.get, "content-type": "application/grpc", te: "trailers" });
    let grpcStatus: number | undefined;
    req.on("trailers", (t) => {
      grpcStatus = Number(t["grpc-status"]);
    });
    req.on("data", () => undefined);
    req.on("error", () => undefined);
    req.on("close", () => resolve({ grpcStatus, rstCode: req.rstCode ?? 0 }));
    req.end(grpcFrame(getTask(["rel_faulty", 0], { mode })));
  });
}

describe("handshake deadline", () => {
  test("half a preface, then silence: closed within the limit", async () => {
    // Timed from before the connection exists: the server's deadline cannot start earlier.
    const started = Date.now();
    const c = await raw(guarded);
    c.write(PREFACE.subarray(0, 12));
    await c.closed;
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(HANDSHAKE_MS - 50);
    expect(elapsed).toBeLessThan(HANDSHAKE_MS + SLACK_MS);
  });

  test("a connection that sends nothing at all: closed within the limit", async () => {
    const c = await raw(guarded);
    const started = Date.now();
    await c.closed;
    expect(Date.now() - started).toBeLessThan(HANDSHAKE_MS + SLACK_MS);
  });

  test("the preface and SETTINGS in time: the connection outlives the limit and serves calls", async () => {
    const s = session(guarded);
    await once(s, "remoteSettings");
    let closed = false;
    s.once("close", () => {
      closed = true;
    });
    // A call that spans the handshake limit twice over, on the same connection.
    const out = await http2GetTask(s, `sleep:${2 * HANDSHAKE_MS}`);
    expect(out).toEqual({ grpcStatus: status.OK, rstCode: 0 });
    expect(closed).toBe(false);
    expect(await http2GetTask(s, "ok")).toEqual({ grpcStatus: status.OK, rstCode: 0 });
  });
});

describe("handshake deadline with TLS", () => {
  test("a TCP connection that never starts TLS: closed within the limit", async () => {
    const c = await raw(tls);
    const started = Date.now();
    await c.closed;
    expect(Date.now() - started).toBeLessThan(HANDSHAKE_MS + SLACK_MS);
  });

  test("TLS, the preface and SETTINGS in time: the connection outlives the limit", async () => {
    const s = session(tls, true);
    await once(s, "remoteSettings");
    const out = await http2GetTask(s, `sleep:${2 * HANDSHAKE_MS}`);
    expect(out).toEqual({ grpcStatus: status.OK, rstCode: 0 });
    expect(await http2GetTask(s, "ok")).toEqual({ grpcStatus: status.OK, rstCode: 0 });
    expect(s.closed || s.destroyed).toBe(false);
  });
});

test("keepalive: a session pinging every second during a 10-second call sees it complete, and no GOAWAY", async () => {
  const s = session(guarded);
  await once(s, "remoteSettings");
  const goaways: number[] = [];
  s.on("goaway", (code: number) => goaways.push(code));
  let acked = 0;
  const failures: string[] = [];
  const pinger = setInterval(() => {
    s.ping((err, durationMs) => {
      if (err) failures.push(err.message);
      else if (durationMs >= 0) acked += 1;
    });
  }, 1000);
  cleanups.push(() => clearInterval(pinger));
  const out = await http2GetTask(s, "sleep:10000");
  clearInterval(pinger);
  expect(out).toEqual({ grpcStatus: status.OK, rstCode: 0 });
  expect(failures).toEqual([]);
  expect(acked).toBeGreaterThanOrEqual(5);
  expect(goaways).toEqual([]);
  expect(s.closed || s.destroyed).toBe(false);
}, 30_000);

describe("concurrent streams per connection", () => {
  test("a client that ignores the limit gets REFUSED_STREAM above it; the streams within it are served", async () => {
    const c = await raw(guarded);
    // Preface and SETTINGS, but no ACK of the server's SETTINGS: its limit is announced, not yet in force.
    c.write(Buffer.concat([PREFACE, settingsFrame()]));
    const serverSettings = await c.waitFor((f) => f.type === FRAME.SETTINGS && (f.flags & 1) === 0);
    expect(readSetting(serverSettings.payload, h2.NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS)).toBe(4);
    // Five open calls (stream ids 1, 3, 5, 7, 9), none of them ended by the client.
    c.write(Buffer.concat([1, 3, 5, 7, 9].map((id) => grpcHeadersFrame(id, PATH.get))));
    const reset = await c.waitFor((f) => f.type === FRAME.RST_STREAM);
    expect({ stream: reset.streamId, code: reset.payload.readUInt32BE(0) }).toEqual({
      stream: 9,
      code: H2_ERROR.REFUSED_STREAM,
    });
    // The first four are being served: ending one of them yields its answer.
    c.write(frame(FRAME.DATA, END_STREAM, 1, grpcFrame(getTask(["rel_task", 1], { jobId: "j", n: 1 }))));
    const answer = await c.waitFor((f) => f.type === FRAME.HEADERS && f.streamId === 1);
    expect(answer.streamId).toBe(1);
    expect(c.frames.filter((f) => f.type === FRAME.RST_STREAM).map((f) => f.streamId)).toEqual([9]);
  });

  test("a client that acknowledged the limit and still exceeds it loses the connection (GOAWAY)", async () => {
    const c = await raw(guarded);
    c.write(Buffer.concat([PREFACE, settingsFrame()]));
    await c.waitFor((f) => f.type === FRAME.SETTINGS && (f.flags & 1) === 0);
    c.write(settingsFrame(true));
    // The server has seen the ACK once it answers a PING sent after it.
    c.write(frame(FRAME.PING, 0, 0, Buffer.alloc(8)));
    await c.waitFor((f) => f.type === FRAME.PING && (f.flags & 1) === 1);
    c.write(Buffer.concat([1, 3, 5, 7, 9].map((id) => grpcHeadersFrame(id, PATH.get))));
    const goaway = await c.waitFor((f) => f.type === FRAME.GOAWAY);
    expect(goaway.payload.readUInt32BE(0)).toBe(7); // the last stream it had accepted
    await c.closed;
  });

  test("a gRPC client queues calls above the limit: 12 concurrent calls on one channel all answer OK", async () => {
    const client = new RawClient(guarded);
    cleanups.push(() => client.close());
    const outcomes = await Promise.all(
      Array.from({ length: 12 }, () => client.unary(PATH.get, getTask(["rel_faulty", 0], { mode: "sleep:200" }))),
    );
    expect(outcomes.map((o) => status[o.code])).toEqual(Array(12).fill("OK"));
  });
});

describe("request header size", () => {
  test("headers over the limit: the call fails with RESOURCE_EXHAUSTED and the server keeps serving", async () => {
    const client = new RawClient(guarded);
    cleanups.push(() => client.close());
    const big = await client.unary(PATH.get, getTask(["rel_task", 1], { jobId: "j", n: 1 }), {
      metadata: { "x-padding": "p".repeat(9 * 1024) },
      deadlineMs: 5000,
    });
    expect(status[big.code]).toBe("RESOURCE_EXHAUSTED");
    const small = await client.unary(PATH.get, getTask(["rel_task", 1], { jobId: "j", n: 1 }), {
      metadata: { "x-padding": "p".repeat(6 * 1024) },
    });
    expect(status[small.code]).toBe("OK");
  });

  test("on the wire: the stream is reset with ENHANCE_YOUR_CALM", async () => {
    const s = session(guarded);
    await once(s, "remoteSettings");
    expect(s.remoteSettings.maxHeaderListSize).toBe(8 * 1024);
    const req = s.request({
      ":method": "POST",
      ":path": PATH.get,
      "content-type": "application/grpc",
      te: "trailers",
      "x-padding": "p".repeat(9 * 1024),
    });
    const errors: string[] = [];
    req.on("error", (err: Error) => errors.push(err.message));
    req.on("data", () => undefined);
    const closed = new Promise((resolve) => req.once("close", resolve));
    req.end(grpcFrame(getTask(["rel_task", 1], { jobId: "j", n: 1 })));
    await closed;
    expect(errors).toEqual(["Stream closed with error code NGHTTP2_ENHANCE_YOUR_CALM"]);
    expect(req.rstCode).toBe(h2.NGHTTP2_ENHANCE_YOUR_CALM);
  });
});

test("idle connections are closed after the configured time, busy ones are not", async () => {
  const s = session(idle);
  await once(s, "remoteSettings");
  const goaway = once(s, "goaway");
  // A call longer than the idle limit: the connection is busy, not idle, while it runs.
  const callMs = IDLE_MS + 500;
  const callStarted = Date.now();
  const out = await http2GetTask(s, `sleep:${callMs}`);
  expect(out).toEqual({ grpcStatus: status.OK, rstCode: 0 });
  const answered = Date.now();
  expect(s.closed).toBe(false);
  const [code] = await goaway;
  expect(code).toBe(H2_ERROR.NO_ERROR);
  // The server went idle after the call, which lasted at least callMs: no GOAWAY before that plus the limit.
  expect(Date.now() - callStarted).toBeGreaterThanOrEqual(callMs + IDLE_MS - 50);
  expect(Date.now() - answered).toBeLessThan(IDLE_MS + SLACK_MS);
});

function readSetting(payload: Buffer, id: number): number | undefined {
  for (let i = 0; i + 6 <= payload.length; i += 6) if (payload.readUInt16BE(i) === id) return payload.readUInt32BE(i + 2);
  return undefined;
}
