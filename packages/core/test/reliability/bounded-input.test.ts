import { readFileSync } from "node:fs";
import { type ClientHttp2Session, type ClientHttp2Stream, connect, constants as h2 } from "node:http2";
import { status } from "@grpc/grpc-js";
import { DEFAULT_MAX_CONCURRENT_STREAMS, DEFAULT_MAX_RECEIVE_BYTES } from "../../src";
import { FRAME, grpcHeadersFrame, H2_ERROR, PREFACE, RawH2Connection, settingsFrame } from "./fixtures/h2-frames";
import { PATH } from "./fixtures/requests";
import { type SpawnedServer, spawnServer } from "./fixtures/spawned-server";

/**
 * Bounded input: each test states the bound it proves, against `flyte-agent serve` as it starts
 * with its default flags (a spawned process, so its RSS is its own). Only the connection-age test
 * shortens the age, since the default is 30 minutes.
 */

const MiB = 1024 * 1024;
/** No job service is needed: none of these requests reaches an agent. */
const NO_JOB_SERVICE = "http://127.0.0.1:9";

const rssMiB = (pid: number) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? Number.NaN) / 1024;

/** A gRPC message prefix: not compressed, `length` bytes to follow. */
function prefix(length: number): Buffer {
  const p = Buffer.alloc(5);
  p.writeUInt32BE(length, 1);
  return p;
}

/** What came back on a stream: its gRPC status (headers or trailers), or the RST_STREAM code. */
interface StreamEnd {
  grpcStatus?: number;
  grpcMessage?: string;
  rstCode?: number;
}

function openCall(session: ClientHttp2Session, path: string): { stream: ClientHttp2Stream; ended: Promise<StreamEnd> } {
  const stream = session.request({ ":method": "POST", ":path": path, "content-type": "application/grpc", te: "trailers" });
  const ended = new Promise<StreamEnd>((resolve) => {
    const out: StreamEnd = {};
    const read = (h: Record<string, unknown>) => {
      if (h["grpc-status"] !== undefined) {
        out.grpcStatus = Number(h["grpc-status"]);
        out.grpcMessage = decodeURIComponent(String(h["grpc-message"] ?? ""));
        resolve(out);
      }
    };
    stream.on("response", read);
    stream.on("trailers", read);
    stream.on("error", () => undefined);
    stream.on("close", () => resolve({ ...out, rstCode: stream.rstCode }));
  });
  stream.resume();
  return { stream, ended };
}

/** Writes `chunk` and waits until the stream took it (or closed), yielding to the event loop. */
function writeChunk(stream: ClientHttp2Stream, chunk: Buffer): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.off("close", done);
      resolve();
    };
    stream.once("close", done);
    stream.write(chunk, () => setImmediate(done));
  });
}

let server: SpawnedServer;
const sessions: ClientHttp2Session[] = [];

function session(address = server.address): ClientHttp2Session {
  const s = connect(`http://${address}`);
  s.on("error", () => undefined);
  sessions.push(s);
  return s;
}

beforeAll(async () => {
  server = await spawnServer(NO_JOB_SERVICE);
});

afterEach(() => {
  for (const s of sessions.splice(0)) s.destroy();
});

afterAll(() => server?.kill());

test("serve's default limits are the ones these bounds are stated with: 128 MiB per message, 1,000 streams, 30 min age", async () => {
  const limitsLine = () =>
    server
      .log()
      .split("\n")
      .find((l) => l.includes('"limits"'));
  // The line is written just after the server reports SERVING.
  for (let i = 0; i < 100 && limitsLine() === undefined; i++) await new Promise((r) => setTimeout(r, 20));
  const line = limitsLine();
  expect(line).toBeDefined();
  expect(JSON.parse(line ?? "{}").limits).toEqual({
    maxReceiveMessageBytes: 128 * MiB,
    maxConcurrentStreams: 1000,
    maxHeaderListBytes: 16 * 1024,
    handshakeTimeoutMs: 5000,
    maxConnectionAgeMs: 30 * 60_000,
    maxConnectionAgeGraceMs: 60_000,
  });
  expect([DEFAULT_MAX_RECEIVE_BYTES, DEFAULT_MAX_CONCURRENT_STREAMS]).toEqual([128 * MiB, 1000]);
});

test("a length prefix larger than the receive limit is answered RESOURCE_EXHAUSTED at once, after 5 bytes", async () => {
  const { stream, ended } = openCall(session(), PATH.get);
  stream.write(prefix(DEFAULT_MAX_RECEIVE_BYTES + 1)); // the body never comes and the stream never ends
  const end = await ended;
  expect(end.grpcStatus).toBe(status.RESOURCE_EXHAUSTED);
  expect(end.grpcMessage).toMatch(/larger than max \(134217729 vs 134217728\)/);
});

test("a request body that never ends is answered when it crosses the receive limit, and the server holds at most the limit", async () => {
  const pid = server.child.pid ?? 0;
  const before = rssMiB(pid);
  const { stream, ended } = openCall(session(), PATH.get);
  // One message as long as the limit allows, then more bytes, without ever ending the stream.
  await writeChunk(stream, prefix(DEFAULT_MAX_RECEIVE_BYTES));
  let sent = 0;
  let answered: StreamEnd | undefined;
  void ended.then((e) => {
    answered = e;
  });
  const chunk = Buffer.alloc(MiB, 0x41);
  let peak = before;
  // Stops at twice the limit: a server that had not answered by then has no bound.
  while (answered === undefined && sent < 2 * DEFAULT_MAX_RECEIVE_BYTES) {
    await writeChunk(stream, chunk);
    sent += chunk.length;
    if (sent % (16 * MiB) === 0) peak = Math.max(peak, rssMiB(pid));
  }
  const end =
    answered ?? (await Promise.race([ended, new Promise<StreamEnd | undefined>((r) => setTimeout(() => r(undefined), 5000))]));
  peak = Math.max(peak, rssMiB(pid));
  process.stderr.write(
    `endless body: answered after ${(sent / MiB).toFixed(0)} MiB written, server RSS ${before.toFixed(0)} -> peak ${peak.toFixed(0)} MiB\n`,
  );
  expect(end).toBeDefined();
  // Answered at the limit: what the client had written by then is the limit plus what was in flight.
  expect(sent).toBeLessThanOrEqual(DEFAULT_MAX_RECEIVE_BYTES + 16 * MiB);
  // The bytes past the 128 MiB message start another one whose prefix (0x41414141) is over the limit.
  expect(end?.grpcStatus).toBe(status.RESOURCE_EXHAUSTED);
  // What the server held: the one message of at most the limit, as received chunks and their
  // copy into one buffer (grpc-js concatenates them), nothing more.
  expect(peak - before).toBeLessThanOrEqual((2 * DEFAULT_MAX_RECEIVE_BYTES) / MiB + 32);
}, 120_000);

test("many half-sent messages on one connection: the server holds what was sent, on at most 1,000 streams (<= 128 MiB x 1,000)", async () => {
  const pid = server.child.pid ?? 0;
  const s = session();
  await new Promise<void>((resolve) => s.once("remoteSettings", () => resolve()));
  expect(s.remoteSettings.maxConcurrentStreams).toBe(DEFAULT_MAX_CONCURRENT_STREAMS);
  const before = rssMiB(pid);
  // 1,000 calls, each with half of a 64 KiB message sent: 32 MiB held by the server in all.
  const half = Buffer.alloc(32 * 1024, 0x41);
  const calls = Array.from({ length: DEFAULT_MAX_CONCURRENT_STREAMS }, () => openCall(s, PATH.get));
  await Promise.all(calls.map(({ stream }) => writeChunk(stream, Buffer.concat([prefix(64 * 1024), half]))));
  // Every stream's bytes have reached the server once a ping sent after them is answered.
  await new Promise<void>((resolve, reject) => s.ping((err) => (err ? reject(err) : resolve())));
  const held = rssMiB(pid) - before;
  const sentMiB = (calls.length * (half.length + 5)) / MiB;
  process.stderr.write(
    `half-sent: ${calls.length} streams, ${sentMiB.toFixed(1)} MiB sent, server RSS +${held.toFixed(1)} MiB\n`,
  );
  // Linear in what was sent (no copy per chunk kept), far below the per-connection bound.
  expect(held).toBeLessThanOrEqual(3 * sentMiB + 32);
  // None of them has been answered: each is waiting for the rest of its message.
  const settled = await Promise.race([
    Promise.race(calls.map((c) => c.ended.then(() => "answered"))),
    new Promise((r) => setTimeout(() => r("waiting"), 200)),
  ]);
  expect(settled).toBe("waiting");
});

test("a 1,001st open stream on one connection is refused (REFUSED_STREAM)", async () => {
  const c = await RawH2Connection.open(server.address);
  try {
    // Preface and SETTINGS, no ACK of the server's: above the limit the server refuses each stream.
    c.write(Buffer.concat([PREFACE, settingsFrame()]));
    await c.waitFor((f) => f.type === FRAME.SETTINGS && (f.flags & 1) === 0);
    const ids = Array.from({ length: DEFAULT_MAX_CONCURRENT_STREAMS + 1 }, (_, i) => 2 * i + 1);
    c.write(Buffer.concat(ids.map((id) => grpcHeadersFrame(id, PATH.get))));
    const reset = await c.waitFor((f) => f.type === FRAME.RST_STREAM);
    expect({ stream: reset.streamId, code: reset.payload.readUInt32BE(0) }).toEqual({
      stream: ids.at(-1),
      code: H2_ERROR.REFUSED_STREAM,
    });
  } finally {
    c.close();
  }
});

test("a body sent one byte at a time is cut off by the maximum connection age (x 1.1) plus its grace", async () => {
  const ageMs = 2000;
  const graceMs = 1000;
  const aged = await spawnServer(NO_JOB_SERVICE, [
    "--max-connection-age",
    `${ageMs}ms`,
    "--max-connection-age-grace",
    `${graceMs}ms`,
  ]);
  try {
    const s = session(aged.address);
    const opened = Date.now();
    const closed = new Promise<number>((resolve) => s.once("close", () => resolve(Date.now() - opened)));
    const goaway = new Promise<number>((resolve) => s.once("goaway", (code: number) => resolve(code)));
    const { stream } = openCall(s, PATH.get);
    await writeChunk(stream, prefix(1024));
    let dripping = true;
    void closed.then(() => {
      dripping = false;
    });
    const drip = (async () => {
      while (dripping) {
        await writeChunk(stream, Buffer.from([0x41]));
        await new Promise((r) => setTimeout(r, 50)); // the client's pace: one byte per 50 ms
      }
    })();
    expect(await goaway).toBe(h2.NGHTTP2_NO_ERROR);
    const lifetime = await closed;
    await drip;
    process.stderr.write(`drip: connection closed after ${lifetime} ms (age ${ageMs} ms, grace ${graceMs} ms)\n`);
    expect(lifetime).toBeGreaterThanOrEqual(ageMs * 0.9);
    // The bound, plus 1 s for a busy machine's timers.
    expect(lifetime).toBeLessThanOrEqual(ageMs * 1.1 + graceMs + 1000);
  } finally {
    aged.kill();
  }
}, 30_000);
