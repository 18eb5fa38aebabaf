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
 * @module
 */
import type { Http2SecureServer, Http2Server, ServerHttp2Session } from "node:http2";
import { createServer, type Server as NetServer, type Socket } from "node:net";
import type { Server as GrpcServer, ServerCredentials } from "@grpc/grpc-js";
import type { Logger } from "pino";
import type { DirectUnaryCalls } from "./direct-unary";
import { useStreamIdTable } from "./session-stream-table";

/** Limits of every connection the listener accepts. */
export interface ConnectionLimits {
  /** Time a new connection gets to complete TLS, the HTTP/2 preface and its first SETTINGS frame. */
  handshakeTimeoutMs: number;
  /** Largest request header list (HTTP/2 SETTINGS_MAX_HEADER_LIST_SIZE), in bytes. */
  maxHeaderListBytes: number;
}

/** What the listener adds in front of grpc-js besides the limits. */
export interface ListenerExtras {
  /** Serves registered unary methods straight off their HTTP/2 stream (see `direct-unary.ts`). */
  directUnary?: DirectUnaryCalls;
  /** Gives each session a {@link useStreamIdTable | stream table} that lets closed streams die young. */
  streamIdTable?: boolean;
}

type Http2Like = Http2Server | Http2SecureServer;
type ConnectionInjector = ReturnType<GrpcServer["createConnectionInjector"]>;

/** The http2 servers grpc-js keeps per listener or injector (not part of its public API). */
function http2ServersOf(server: GrpcServer): Map<Http2Like, unknown> | undefined {
  const servers = (server as unknown as { http2Servers?: unknown }).http2Servers;
  return servers instanceof Map ? (servers as Map<Http2Like, unknown>) : undefined;
}

/**
 * Creates grpc-js's connection injector and finds the http2 server behind it, which is where
 * the header limit is set and where sessions appear. Undefined when grpc-js no longer keeps it
 * where 1.14 does (the listener then serves without those two guards and says so).
 */
function injectorWithHttp2Server(
  server: GrpcServer,
  credentials: ServerCredentials,
): { injector: ConnectionInjector; http2: Http2Like | undefined } {
  const before = new Set(http2ServersOf(server)?.keys() ?? []);
  const injector = server.createConnectionInjector(credentials);
  const added = [...(http2ServersOf(server)?.keys() ?? [])].filter((s) => !before.has(s));
  const http2 = added.length === 1 && typeof added[0]?.updateSettings === "function" ? added[0] : undefined;
  return { injector, http2 };
}

const connectionKey = (address: string | undefined, port: number | undefined) => `${address}|${port}`;

/**
 * A TCP listener feeding grpc-js, with a handshake deadline and a header size limit per
 * connection; with {@link ListenerExtras}, unary methods served in front of grpc-js and a
 * stream table per session.
 */
export class GuardedListener {
  private readonly net: NetServer;
  private readonly injector: ConnectionInjector;
  /** Handshake deadlines of the sockets that have not sent their first SETTINGS yet, by remote address. */
  private readonly pending = new Map<string, { socket: Socket; timer: NodeJS.Timeout }>();
  /** Whether the handshake deadline and header limit are in force (see {@link injectorWithHttp2Server}). */
  readonly guarded: boolean;
  private streamIdTable: boolean;

  constructor(
    grpcServer: GrpcServer,
    credentials: ServerCredentials,
    private readonly limits: ConnectionLimits,
    private readonly log: Logger,
    { directUnary, streamIdTable = false }: ListenerExtras = {},
  ) {
    const { injector, http2 } = injectorWithHttp2Server(grpcServer, credentials);
    this.injector = injector;
    this.guarded = http2 !== undefined;
    this.streamIdTable = streamIdTable;
    if (http2) {
      http2.updateSettings({ maxHeaderListSize: limits.maxHeaderListBytes });
      http2.on("session", (session: ServerHttp2Session) => this.watchSession(session));
      if (directUnary && !directUnary.attach(http2, grpcServer)) {
        log.warn("this @grpc/grpc-js version handles streams differently: every call goes through grpc-js");
      }
    } else {
      log.warn(
        "this @grpc/grpc-js version hides its http2 server: no handshake deadline and no header size limit on connections",
      );
    }
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
    if (this.guarded) {
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
    }
    this.injector.injectConnection(socket);
  }

  private watchSession(session: ServerHttp2Session): void {
    if (this.streamIdTable && !useStreamIdTable(session)) {
      this.streamIdTable = false;
      this.log.warn("this Node.js version keeps a session's streams differently: sessions keep Node's own stream map");
    }
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
