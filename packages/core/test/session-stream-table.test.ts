import { once } from "node:events";
import {
  type ClientHttp2Session,
  type ClientHttp2Stream,
  connect as http2Connect,
  createServer as createHttp2Server,
  type Http2Server,
  type Http2Session,
  type ServerHttp2Session,
  type ServerHttp2Stream,
} from "node:http2";
import type { AddressInfo } from "node:net";
import { Server, ServerCredentials } from "@grpc/grpc-js";
import { GuardedListener } from "../src/server/guarded-listener";
import { useStreamIdTable } from "../src/server/session-stream-table";
import { StreamIdTable } from "../src/server/stream-id-table";
import { silentLogger } from "../src/logger";

/** The collection Node keeps a session's open streams in (private state, read for the test). */
function streamsOf(session: Http2Session): unknown {
  const key = Object.getOwnPropertySymbols(session).find((s) => s.description === "state");
  return key ? (session as unknown as Record<symbol, { streams: unknown }>)[key]?.streams : undefined;
}

let server: Http2Server;
let address: string;
const serverSessions: ServerHttp2Session[] = [];
const swapped: boolean[] = [];
const clients: ClientHttp2Session[] = [];

beforeAll(async () => {
  server = createHttp2Server();
  server.on("session", (session: ServerHttp2Session) => {
    serverSessions.push(session);
    swapped.push(useStreamIdTable(session));
  });
  server.on("stream", (stream: ServerHttp2Stream, headers) => {
    stream.on("error", () => undefined);
    if (headers[":path"] === "/hold") return; // never answered
    stream.resume();
    stream.on("end", () => {
      stream.respond({ ":status": 200 });
      stream.end(String(headers[":path"]));
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  address = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const c of clients) c.destroy();
  for (const s of serverSessions) s.destroy();
  await new Promise((resolve) => server.close(resolve));
});

function client(): ClientHttp2Session {
  const session = http2Connect(address);
  session.on("error", () => undefined);
  clients.push(session);
  return session;
}

async function get(session: ClientHttp2Session, path: string): Promise<string> {
  const stream = session.request({ ":method": "POST", ":path": path });
  stream.end();
  const chunks: Buffer[] = [];
  stream.on("data", (c: Buffer) => chunks.push(c));
  await once(stream, "end");
  return Buffer.concat(chunks).toString();
}

test("a new session gets the table, and concurrent streams on it are answered and removed", async () => {
  const session = client();
  const paths = Array.from({ length: 50 }, (_, i) => `/call-${i}`);
  expect(await Promise.all(paths.map((p) => get(session, p)))).toEqual(paths);
  const serverSession = serverSessions.at(-1) as ServerHttp2Session;
  expect(swapped.at(-1)).toBe(true);
  const table = streamsOf(serverSession);
  expect(table).toBeInstanceOf(StreamIdTable);
  // The last stream leaves the table once Node has destroyed it.
  for (let i = 0; i < 5 && (table as StreamIdTable<unknown>).size > 0; i++) await new Promise((r) => setImmediate(r));
  expect((table as StreamIdTable<unknown>).size).toBe(0);
});

test("destroying a session closes the streams still open in its table", async () => {
  const session = client();
  const held: ClientHttp2Stream[] = [];
  const serverStreams: ServerHttp2Stream[] = [];
  const arrived = new Promise<void>((resolve) => {
    const onStream = (stream: ServerHttp2Stream) => {
      serverStreams.push(stream);
      if (serverStreams.length === 3) {
        server.off("stream", onStream);
        resolve();
      }
    };
    server.on("stream", onStream);
  });
  for (let i = 0; i < 3; i++) {
    const stream = session.request({ ":method": "POST", ":path": "/hold" });
    stream.on("error", () => undefined);
    held.push(stream);
  }
  await arrived;
  const serverSession = serverStreams[0]?.session as ServerHttp2Session;
  expect((streamsOf(serverSession) as StreamIdTable<unknown>).size).toBe(3);
  const closed = serverStreams.map((s) => once(s, "close"));
  serverSession.destroy();
  await Promise.all(closed);
  expect(serverStreams.every((s) => s.destroyed)).toBe(true);
  await Promise.all(held.map((s) => (s.closed ? undefined : once(s, "close"))));
  expect(held.every((s) => s.closed)).toBe(true);
});

test("a session that already has a stream, or is not Node's shape, keeps what it has", async () => {
  expect(useStreamIdTable({} as Http2Session)).toBe(false);
  const session = client();
  const seen = new Promise<boolean>((resolve) =>
    server.once("stream", (stream) => resolve(useStreamIdTable(stream.session as Http2Session))),
  );
  // This session was swapped when it connected; a second swap with a stream open is refused.
  const answer = get(session, "/late");
  expect(await seen).toBe(false);
  expect(await answer).toBe("/late");
});

describe("the gRPC listener", () => {
  async function sessionCollection(streamIdTable: boolean): Promise<unknown> {
    const grpcServer = new Server();
    const listener = new GuardedListener(
      grpcServer,
      ServerCredentials.createInsecure(),
      { handshakeTimeoutMs: 5000, maxHeaderListBytes: 16 * 1024 },
      silentLogger(),
      { streamIdTable },
    );
    const http2Servers = (grpcServer as unknown as { http2Servers: Map<Http2Server, unknown> }).http2Servers;
    const http2 = [...http2Servers.keys()][0] as Http2Server;
    const sessionSeen = once(http2, "session") as Promise<[ServerHttp2Session]>;
    const port = await listener.listen(0, "127.0.0.1");
    const session = http2Connect(`http://127.0.0.1:${port}`);
    session.on("error", () => undefined);
    const [serverSession] = await sessionSeen;
    // The listener's own "session" listener ran first: it was added when the listener was built.
    const collection = streamsOf(serverSession);
    session.destroy();
    grpcServer.forceShutdown();
    await listener.close();
    return collection;
  }

  test("gives every session the table when asked, and leaves Node's map otherwise", async () => {
    expect(await sessionCollection(true)).toBeInstanceOf(StreamIdTable);
    const kept = await sessionCollection(false);
    expect(kept).not.toBeInstanceOf(StreamIdTable);
    expect(Object.prototype.toString.call(kept)).toBe("[object Map]");
  });
});
