/**
 * The gRPC listener: our own `net.Server` whose connections are handed to grpc-js through its
 * public `createConnectionInjector`, so the server owns each socket from its first byte.
 *
 * grpc-js 1.14 has no option for a connection that never completes its handshake (it would
 * hold a socket that sent half of the HTTP/2 preface forever) and no option for the size of
 * the request headers it accepts (it ignores `grpc.max_metadata_size`). This listener adds both:
 *
 * - every accepted socket gets {@link ConnectionLimits.handshakeTimeoutMs} to finish TLS (when
 *   enabled), the HTTP/2 preface and the client's first SETTINGS frame, or it is destroyed;
 * - the HTTP/2 setting SETTINGS_MAX_HEADER_LIST_SIZE is set to
 *   {@link ConnectionLimits.maxHeaderListBytes}: Node resets a stream whose headers are larger
 *   with ENHANCE_YOUR_CALM, which gRPC clients report as RESOURCE_EXHAUSTED.
 *
 * Both need the Node http2 server behind grpc-js's injector, which grpc-js keeps in a field
 * that is not part of its public API (`http2Servers`). That is the one place this server reads
 * a dependency's internals, so `@grpc/grpc-js` is pinned to a tilde range, and a grpc-js that
 * keeps it elsewhere makes the listener throw {@link UnguardedListenerError}: the server
 * refuses to start rather than serve without the two guards.
 * @module
 */
import type { Http2SecureServer, Http2Server, ServerHttp2Session } from "node:http2";
import { createServer, type Server as NetServer, type Socket } from "node:net";
import type { Server as GrpcServer, ServerCredentials } from "@grpc/grpc-js";
import type { Logger } from "pino";

/** Limits of every connection the listener accepts. */
export interface ConnectionLimits {
  /** Time a new connection gets to complete TLS, the HTTP/2 preface and its first SETTINGS frame. */
  handshakeTimeoutMs: number;
  /** Largest request header list (HTTP/2 SETTINGS_MAX_HEADER_LIST_SIZE), in bytes. */
  maxHeaderListBytes: number;
}

/**
 * The installed `@grpc/grpc-js` does not expose the http2 server behind a connection injector
 * where 1.14 does, so the handshake deadline and the header size limit cannot be enforced.
 */
export class UnguardedListenerError extends Error {
  constructor(version: string) {
    super(
      `@grpc/grpc-js ${version} keeps its http2 servers differently from 1.14: the handshake deadline and the request header size limit cannot be enforced, so the server will not start. Install @grpc/grpc-js ~1.14 (the range @flyte-agent/core declares).`,
    );
    this.name = "UnguardedListenerError";
  }
}

type Http2Like = Http2Server | Http2SecureServer;
type ConnectionInjector = ReturnType<GrpcServer["createConnectionInjector"]>;

/** The http2 servers grpc-js keeps per listener or injector (not part of its public API). */
function http2ServersOf(server: GrpcServer): Map<Http2Like, unknown> | undefined {
  const servers = (server as unknown as { http2Servers?: unknown }).http2Servers;
  return servers instanceof Map ? (servers as Map<Http2Like, unknown>) : undefined;
}

function grpcJsVersion(): string {
  try {
    return (require("@grpc/grpc-js/package.json") as { version: string }).version;
  } catch {
    return "(version unknown)";
  }
}

/**
 * Creates grpc-js's connection injector and finds the http2 server behind it, which is where
 * the header limit is set and where sessions appear.
 * @throws UnguardedListenerError when grpc-js no longer keeps it where 1.14 does
 */
function injectorWithHttp2Server(
  server: GrpcServer,
  credentials: ServerCredentials,
): { injector: ConnectionInjector; http2: Http2Like } {
  const before = new Set(http2ServersOf(server)?.keys() ?? []);
  const injector = server.createConnectionInjector(credentials);
  const added = [...(http2ServersOf(server)?.keys() ?? [])].filter((s) => !before.has(s));
  const http2 = added.length === 1 ? added[0] : undefined;
  if (http2 === undefined || typeof http2.updateSettings !== "function" || typeof http2.on !== "function") {
    injector.destroy();
    throw new UnguardedListenerError(grpcJsVersion());
  }
  return { injector, http2 };
}

const connectionKey = (address: string | undefined, port: number | undefined) => `${address}|${port}`;

/** A TCP listener feeding grpc-js, with a handshake deadline and a header size limit per connection. */
export class GuardedListener {
  private readonly net: NetServer;
  private readonly injector: ConnectionInjector;
  /** Handshake deadlines of the sockets that have not sent their first SETTINGS yet, by remote address. */
  private readonly pending = new Map<string, { socket: Socket; timer: NodeJS.Timeout }>();

  /** @throws UnguardedListenerError when the guards cannot be put in place (see the module notes) */
  constructor(
    grpcServer: GrpcServer,
    credentials: ServerCredentials,
    private readonly limits: ConnectionLimits,
    private readonly log: Logger,
  ) {
    const { injector, http2 } = injectorWithHttp2Server(grpcServer, credentials);
    this.injector = injector;
    http2.updateSettings({ maxHeaderListSize: limits.maxHeaderListBytes });
    http2.on("session", (session: ServerHttp2Session) => this.watchSession(session));
    this.net = createServer((socket) => this.accept(socket));
  }

  /** Listens on `host:port` (0 picks a free port). Resolves with the bound port. */
  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.net.once("error", reject);
      this.net.listen(port, host.replace(/^\[(.*)\]$/, "$1"), () => {
        this.net.off("error", reject);
        const address = this.net.address();
        resolve(typeof address === "object" && address ? address.port : port);
      });
    });
  }

  /** Stops accepting connections; the ones already accepted are grpc-js's to close. */
  close(): Promise<void> {
    if (!this.net.listening) return Promise.resolve();
    return new Promise((resolve) => this.net.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    const key = connectionKey(socket.remoteAddress, socket.remotePort);
    const timer = setTimeout(() => {
      this.pending.delete(key);
      this.log.warn(
        { remote: key.replace("|", ":"), timeoutMs: this.limits.handshakeTimeoutMs },
        "closing a connection that did not complete its HTTP/2 handshake in time",
      );
      socket.destroy();
    }, this.limits.handshakeTimeoutMs);
    timer.unref();
    this.pending.set(key, { socket, timer });
    socket.once("close", () => {
      // A later connection may reuse the address and port: only settle this socket's own entry.
      if (this.pending.get(key)?.socket === socket) this.settled(key);
    });
    this.injector.injectConnection(socket);
  }

  private watchSession(session: ServerHttp2Session): void {
    const socket = session.socket;
    const key = connectionKey(socket?.remoteAddress, socket?.remotePort);
    if (this.pending.has(key)) session.once("remoteSettings", () => this.settled(key));
  }

  private settled(key: string): void {
    const entry = this.pending.get(key);
    if (entry === undefined) return;
    clearTimeout(entry.timer);
    this.pending.delete(key);
  }
}
