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
import { DirectUnaryCalls } from "./direct-unary";
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
   * Serve unary calls straight off their HTTP/2 stream instead of through grpc-js's per-call
   * machinery (see `direct-unary.ts`); the answers are the same. @default true, or
   * `FLYTE_AGENT_DIRECT_UNARY=false` in the environment
   */
  directUnary?: boolean;
  /**
   * Keep each connection's open streams in a table that lets V8 free closed streams in its
   * young generation, instead of Node's `Map` (see `stream-id-table.ts`). @default true, or
   * `FLYTE_AGENT_STREAM_TABLE=false` in the environment
   */
  streamIdTable?: boolean;
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
 * Default limit of a request's header list: 16 KiB. gRPC C-core, which serves flytekit's Python
 * agents, starts refusing requests above 8 KiB of metadata, so whatever propeller sends them
 * fits here with room to spare. Node's own default is 64 KiB.
 */
export const DEFAULT_MAX_HEADER_LIST_BYTES = 16 * 1024;

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
  private readonly directUnary: DirectUnaryCalls;
  private readonly env: ServerEnv;
  private metricsServer: HttpServer | undefined;
  private listener: GuardedListener | undefined;
  private boundPort = 0;
  private stopping: Promise<void> | undefined;

  constructor(private readonly options: AgentServerOptions) {
    this.metrics = options.metrics ?? new AgentMetrics();
    this.env = { metrics: this.metrics, log: options.logger ?? silentLogger(), inFlight: new InFlight() };
    const maxReceiveMessageBytes = options.maxReceiveMessageBytes ?? DEFAULT_MAX_RECEIVE_BYTES;
    this.directUnary = new DirectUnaryCalls(maxReceiveMessageBytes);
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
    });
    const { registry } = options;
    // Every service goes to grpc-js; its unary methods are also noted for the direct path.
    const services: ServiceHost = {
      addService: (definition, implementation) => {
        this.grpcServer.addService(definition, implementation);
        this.directUnary.addService(definition, implementation);
      },
    };
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
    const direct = (this.options.directUnary ?? process.env.FLYTE_AGENT_DIRECT_UNARY !== "false") ? this.directUnary : undefined;
    const streamIdTable = this.options.streamIdTable ?? process.env.FLYTE_AGENT_STREAM_TABLE !== "false";
    this.listener = new GuardedListener(this.grpcServer, this.credentials(), limits, this.env.log, {
      directUnary: direct,
      streamIdTable,
    });
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
