import { readFileSync } from "node:fs";
import { Server, ServerCredentials } from "@grpc/grpc-js";
import type { Server as HttpServer } from "node:http";
import type { Logger } from "pino";
import { service as v1Services } from "@flyte-agent/flyteidl";
import { AgentMetrics, type Protocol } from "../metrics";
import type { AgentRegistry } from "../registry";
import { silentLogger } from "../logger";
import { AgentOperations } from "./agent-operations";
import { asyncAgentService } from "./async-service";
import { syncAgentService } from "./sync-service";
import { agentMetadataService } from "./metadata-service";
import { AGENT_SERVICE_NAMES, CONNECTOR_SERVICE_NAMES, HealthReporter } from "./health";
import { PROTOCOLS } from "./protocols";
import { addReflection } from "./reflection";
import { GuardedListener } from "./guarded-listener";
import type { ServiceHost } from "./service-host";
import { InFlight, type ServerEnv } from "./request-scope";
import { withSafeDeserialize } from "./safe-deserialize";

/** TLS settings of the gRPC listener. */
export interface TlsOptions {
  /** PEM certificate chain (contents, or a path with `certFile`). */
  cert?: Buffer;
  key?: Buffer;
  certFile?: string;
  keyFile?: string;
  /** CA bundle for client certificates; when set, clients must present one (mutual TLS). */
  clientCa?: Buffer;
  clientCaFile?: string;
}

/** Options of {@link AgentServer}. */
export interface AgentServerOptions {
  registry: AgentRegistry;
  /** @default silent */
  logger?: Logger;
  /** @default a new AgentMetrics */
  metrics?: AgentMetrics;
  /** Largest request accepted, in bytes. @default 128 MiB (grpc-js's default is 4 MiB) */
  maxReceiveMessageBytes?: number;
  /** Serve TLS (or mutual TLS) instead of plaintext. */
  tls?: TlsOptions;
  /** Add server reflection. @default true */
  reflection?: boolean;
  /**
   * Which wire protocols to serve on the port: `v1` (flyteidl.service AsyncAgentService,
   * SyncAgentService, AgentMetadataService, for Flyte 1.x propellers) and/or `v2`
   * (flyteidl2.connector AsyncConnectorService, ConnectorMetadataService, for Flyte 2).
   * @default both
   */
  protocols?: readonly Protocol[];
  /**
   * Time a new connection gets to complete TLS, the HTTP/2 preface and its first SETTINGS
   * frame before it is closed. @default {@link DEFAULT_HANDSHAKE_TIMEOUT_MS}
   */
  handshakeTimeoutMs?: number;
  /**
   * Most calls open at once on one connection (HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS). gRPC
   * clients queue calls beyond it. @default {@link DEFAULT_MAX_CONCURRENT_STREAMS}
   */
  maxConcurrentStreams?: number;
  /** Largest request header list (metadata included), in bytes. @default {@link DEFAULT_MAX_HEADER_LIST_BYTES} */
  maxHeaderListBytes?: number;
  /** Close a connection with no call open for this long (0: never). @default 0 */
  maxConnectionIdleMs?: number;
  /**
   * Close every connection after about this long (grpc-js's `grpc.max_connection_age_ms`, with
   * its +-10% jitter; 0: never): the server sends GOAWAY, clients reconnect for their next call.
   * It bounds how long any one connection, however slowly it sends, holds server memory.
   * @default {@link DEFAULT_MAX_CONNECTION_AGE_MS}
   */
  maxConnectionAgeMs?: number;
  /**
   * After the GOAWAY of {@link AgentServerOptions.maxConnectionAgeMs}, how long calls still open on
   * the connection may run before it is closed (`grpc.max_connection_age_grace_ms`).
   * @default {@link DEFAULT_MAX_CONNECTION_AGE_GRACE_MS}
   */
  maxConnectionAgeGraceMs?: number;
}

export { PROTOCOLS, parseProtocols } from "./protocols";

/** The default request size limit: well above CreateTask inputs propeller may send. */
export const DEFAULT_MAX_RECEIVE_BYTES = 128 * 1024 * 1024;

/** Default time a connection gets to send the HTTP/2 preface and SETTINGS (and finish TLS). */
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 5_000;

/**
 * Default limit of calls open at once on one connection: well above what one propeller keeps
 * in flight (its agent plugin's worker pools), so a well-behaved client never waits on it, while
 * one connection cannot open calls without bound (Node's own default is 2^32 - 1).
 */
export const DEFAULT_MAX_CONCURRENT_STREAMS = 1_000;

/**
 * Default maximum age of a connection: 30 minutes. A propeller keeps one long-lived connection
 * per agent endpoint; reconnecting every half hour costs it one handshake, and no connection,
 * however slowly it sends, lives longer than about 33 minutes plus the grace.
 */
export const DEFAULT_MAX_CONNECTION_AGE_MS = 30 * 60_000;

/**
 * Default time calls still open when a connection reaches its maximum age may finish: 1
 * minute, well above a GetTask or CreateTask round trip to an external API (hundreds of
 * milliseconds) and room for a synchronous task call to a slow API, while the age bound stays
 * close to its nominal value.
 */
export const DEFAULT_MAX_CONNECTION_AGE_GRACE_MS = 60_000;

/**
 * Default limit of a request's header list: 16 KiB. gRPC C-core, which serves flytekit's Python
 * agents, starts refusing requests above 8 KiB of metadata, so whatever propeller sends them
 * fits here with room to spare. Node's own default is 64 KiB.
 */
export const DEFAULT_MAX_HEADER_LIST_BYTES = 16 * 1024;

/** grpc-js's connection age options; none when the age is 0 (connections live as long as their clients keep them). */
function connectionAgeOptions(options: AgentServerOptions): Record<string, number> {
  const age = options.maxConnectionAgeMs ?? DEFAULT_MAX_CONNECTION_AGE_MS;
  if (age <= 0) return {};
  return {
    "grpc.max_connection_age_ms": age,
    "grpc.max_connection_age_grace_ms": options.maxConnectionAgeGraceMs ?? DEFAULT_MAX_CONNECTION_AGE_GRACE_MS,
  };
}

/**
 * The agent gRPC server: flyteidl 1's AsyncAgentService, SyncAgentService, AgentMetadataService
 * and flyteidl2's AsyncConnectorService, ConnectorMetadataService (see
 * {@link AgentServerOptions.protocols}), grpc.health.v1.Health and server reflection, routing by
 * task category to the registry.
 */
export class AgentServer {
  readonly metrics: AgentMetrics;
  readonly health: HealthReporter;
  /** The protocols served. */
  readonly protocols: readonly Protocol[];
  private readonly grpcServer: Server;
  private readonly env: ServerEnv;
  private metricsServer: HttpServer | undefined;
  private listener: GuardedListener | undefined;
  private boundPort = 0;
  private stopping: Promise<void> | undefined;

  constructor(private readonly options: AgentServerOptions) {
    this.metrics = options.metrics ?? new AgentMetrics();
    this.env = { metrics: this.metrics, log: options.logger ?? silentLogger(), inFlight: new InFlight() };
    const maxReceiveMessageBytes = options.maxReceiveMessageBytes ?? DEFAULT_MAX_RECEIVE_BYTES;
    this.grpcServer = new Server({
      "grpc.max_receive_message_length": maxReceiveMessageBytes,
      "grpc.max_send_message_length": -1,
      // Channelz (call and socket counters for grpc's debugging service) is not served here,
      // and tracking it costs closures and timestamps on every call.
      "grpc.enable_channelz": 0,
      "grpc.max_concurrent_streams": options.maxConcurrentStreams ?? DEFAULT_MAX_CONCURRENT_STREAMS,
      // grpc-js sends no keepalive pings of its own and, unlike gRPC C-core, counts no ping
      // strikes: client pings (propeller's every 30 s) are always answered, never a GOAWAY.
      ...(options.maxConnectionIdleMs ? { "grpc.max_connection_idle_ms": options.maxConnectionIdleMs } : {}),
      ...connectionAgeOptions(options),
    });
    const { registry } = options;
    const services: ServiceHost = this.grpcServer;
    this.protocols = PROTOCOLS.filter((p) => (options.protocols ?? PROTOCOLS).includes(p));
    if (this.protocols.length === 0) throw new Error("AgentServer needs at least one protocol (v1, v2)");
    const v1 = this.protocols.includes("v1");
    const v2 = this.protocols.includes("v2");
    if (v1) {
      const operations = new AgentOperations(registry, this.env);
      services.addService(withSafeDeserialize(v1Services.AsyncAgentServiceService), asyncAgentService(operations, this.env));
      services.addService(withSafeDeserialize(v1Services.SyncAgentServiceService), syncAgentService(operations, this.env));
      services.addService(withSafeDeserialize(v1Services.AgentMetadataServiceService), agentMetadataService(registry, this.env));
    }
    if (v2) {
      // Loaded only when served: a v1-only process never loads the flyteidl2 code.
      const { addConnectorServices } = require("./v2/register") as typeof import("./v2/register");
      addConnectorServices(services, registry, this.env);
    }
    this.health = new HealthReporter([...(v1 ? AGENT_SERVICE_NAMES : []), ...(v2 ? CONNECTOR_SERVICE_NAMES : [])]);
    this.health.addTo(services);
    if (options.reflection ?? true) addReflection(services, this.protocols);
  }

  /** The limits every connection is served with (the options, defaults filled in). */
  get limits(): {
    maxReceiveMessageBytes: number;
    maxConcurrentStreams: number;
    maxHeaderListBytes: number;
    handshakeTimeoutMs: number;
    maxConnectionAgeMs: number;
    maxConnectionAgeGraceMs: number;
  } {
    const o = this.options;
    return {
      maxReceiveMessageBytes: o.maxReceiveMessageBytes ?? DEFAULT_MAX_RECEIVE_BYTES,
      maxConcurrentStreams: o.maxConcurrentStreams ?? DEFAULT_MAX_CONCURRENT_STREAMS,
      maxHeaderListBytes: o.maxHeaderListBytes ?? DEFAULT_MAX_HEADER_LIST_BYTES,
      handshakeTimeoutMs: o.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS,
      maxConnectionAgeMs: o.maxConnectionAgeMs ?? DEFAULT_MAX_CONNECTION_AGE_MS,
      maxConnectionAgeGraceMs: o.maxConnectionAgeGraceMs ?? DEFAULT_MAX_CONNECTION_AGE_GRACE_MS,
    };
  }

  /** The bound gRPC port (after {@link AgentServer.listen}). */
  get port(): number {
    return this.boundPort;
  }

  /** Number of calls being served. */
  get inFlight(): number {
    return this.env.inFlight.size;
  }

  /**
   * Binds the gRPC port (0 picks a free one), optionally the metrics port, and reports SERVING.
   * @returns the bound gRPC port
   */
  async listen(port: number, host = "0.0.0.0", metricsPort?: number): Promise<number> {
    const limits = {
      handshakeTimeoutMs: this.options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS,
      maxHeaderListBytes: this.options.maxHeaderListBytes ?? DEFAULT_MAX_HEADER_LIST_BYTES,
    };
    this.listener = new GuardedListener(this.grpcServer, this.credentials(), limits, this.env.log);
    this.boundPort = await this.listener.listen(port, host);
    if (metricsPort !== undefined && metricsPort >= 0) {
      try {
        this.metricsServer = await this.metrics.listen(metricsPort, host);
      } catch (err) {
        // Nothing has been served yet: release the gRPC port too, or the process would keep
        // running with a listener that never reports SERVING.
        await this.shutdown({ drainMs: 0 });
        throw err;
      }
    }
    this.health.setAll("SERVING");
    return this.boundPort;
  }

  /** The bound metrics port, if metrics are served. */
  get metricsPort(): number | undefined {
    const addr = this.metricsServer?.address();
    return typeof addr === "object" && addr ? addr.port : undefined;
  }

  /**
   * Graceful stop: health turns NOT_SERVING, then (after `delayMs`, so load balancers notice)
   * the listener stops taking calls, in-flight calls get `drainMs` to finish, and whatever is
   * still running is aborted.
   */
  shutdown(options: { drainMs?: number; delayMs?: number } = {}): Promise<void> {
    if (this.stopping) return this.stopping;
    this.stopping = (async () => {
      const drainMs = options.drainMs ?? 10_000;
      this.health.setAll("NOT_SERVING");
      if (options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs));
      this.health.endWatches();
      const closed = this.listener?.close();
      const drained = new Promise<void>((resolve) => this.grpcServer.tryShutdown(() => resolve()));
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), drainMs);
      });
      const result = await Promise.race([Promise.all([drained, closed, this.env.inFlight.idle()]), timedOut]);
      if (timer) clearTimeout(timer);
      if (result === "timeout") {
        this.env.log.warn({ inFlight: this.env.inFlight.size, drainMs }, "drain timeout passed; aborting in-flight calls");
        this.env.inFlight.abortAll("server is shutting down");
        this.grpcServer.forceShutdown();
      }
      if (this.metricsServer) {
        const server = this.metricsServer;
        await new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections?.();
      }
    })();
    return this.stopping;
  }

  private credentials(): ServerCredentials {
    const tls = this.options.tls;
    if (!tls) return ServerCredentials.createInsecure();
    const cert = tls.cert ?? (tls.certFile ? readFileSync(tls.certFile) : undefined);
    const key = tls.key ?? (tls.keyFile ? readFileSync(tls.keyFile) : undefined);
    if (!cert || !key) throw new Error("TLS needs both a certificate and a private key");
    const clientCa = tls.clientCa ?? (tls.clientCaFile ? readFileSync(tls.clientCaFile) : undefined);
    return ServerCredentials.createSsl(clientCa ?? null, [{ cert_chain: cert, private_key: key }], clientCa !== undefined);
  }
}
