import { readFileSync } from "node:fs";
import {
  type ChannelCredentials,
  type ChannelOptions,
  type ClientDuplexStream,
  credentials,
  type ServiceError,
  status as Status,
} from "@grpc/grpc-js";
import { service, type admin, type core } from "@flyte-agent/flyteidl";
import type { Connection } from "../connection";
import type { ConnectorCalls } from "./connector-calls";

/** The flyteidl2 calls, loaded with the first v2 connection: the flyteidl2 generated code costs about 3 MiB of resident memory in every process that imports core. */
const connectorCalls = (): typeof ConnectorCalls =>
  (require("./connector-calls") as typeof import("./connector-calls")).ConnectorCalls;
import type { ClientTlsOptions } from "./types";
import { RpcCallError, toRpcError, unary } from "./unary-call";

export { cleanStatusDetails, RpcCallError } from "./unary-call";

/** What ExecuteTaskSync over v2 fails with: flyteidl2 has no sync service. */
function noSyncServiceError(): RpcCallError {
  return new RpcCallError(
    "ExecuteTaskSync",
    Status.UNIMPLEMENTED,
    "flyteidl2 has no sync service: over v2 every task runs through CreateTask and GetTask",
  );
}

/** Builds channel credentials: plaintext, or TLS with an optional CA and client certificate. */
export function clientCredentials(tls: boolean | ClientTlsOptions | undefined): ChannelCredentials {
  if (!tls) return credentials.createInsecure();
  const o = tls === true ? {} : tls;
  const read = (value: Buffer | undefined, file: string | undefined) => value ?? (file ? readFileSync(file) : undefined);
  const ca = read(o.ca, o.caFile);
  const cert = read(o.cert, o.certFile);
  const key = read(o.key, o.keyFile);
  if (Boolean(cert) !== Boolean(key)) throw new Error("a TLS client certificate needs both the certificate and its key");
  return credentials.createSsl(ca ?? null, key ?? null, cert ?? null);
}

/** Default deadline of each call, in milliseconds (undefined: no deadline). */
export interface AgentCallTimeouts {
  /** @default 30000 */
  listAgents?: number;
  /** @default 30000 */
  createTask?: number;
  /** @default 30000 */
  getTask?: number;
  /** @default 30000 */
  deleteTask?: number;
  /** One deadline for the whole stream. @default none */
  executeTaskSync?: number;
}

/** Options of {@link AgentConnection}. */
export interface AgentConnectionOptions {
  /** Default deadline of each call; a timeout passed to a method wins. @default see {@link AgentCallTimeouts} */
  timeouts?: AgentCallTimeouts;
  /** grpc-js channel options, e.g. `{ "grpc.max_receive_message_length": 4194304 }`. @default none */
  channelOptions?: ChannelOptions;
  /**
   * Send each ListAgents on a new connection that is closed afterwards, as propeller's periodic
   * agent discovery does. @default false (ListAgents shares the channel)
   */
  listAgentsOnFreshConnection?: boolean;
  /**
   * The wire protocol: `"v1"`, the flyteidl agent services FlytePropeller 1.x calls, or `"v2"`,
   * the `flyteidl2.connector` services the Flyte 2 executor calls (`listAgents` then sends
   * ListConnectors and reports every connector as async; flyteidl2 has no ExecuteTaskSync).
   * Requests and replies are flyteidl 1 messages either way. @default "v1"
   */
  protocol?: WireProtocol;
  /**
   * The connection (task type, secrets, configs) sent with every v2 CreateTask, GetTask and
   * DeleteTask, as the Flyte 2 executor sends the one it resolved. Ignored over v1, which has
   * no such field. @default none
   */
  connection?: Connection;
}

/** The two wire protocols an agent service speaks: flyteidl 1 agents and flyteidl2 connectors. */
export type WireProtocol = "v1" | "v2";

/** Both wire protocols, v1 first. */
export const WIRE_PROTOCOLS: readonly WireProtocol[] = ["v1", "v2"];

type SyncStream = ClientDuplexStream<admin.ExecuteTaskSyncRequest, admin.ExecuteTaskSyncResponse>;

const DEFAULT_UNARY_TIMEOUT_MS = 30_000;

/**
 * The propeller-model client: the three agent services over one channel, called the way
 * propeller calls them: unary CreateTask/GetTask/DeleteTask/ListAgents with a deadline each, and
 * ExecuteTaskSync as a bidi stream (header, then inputs, then half-close; exactly one reply
 * read). Failed calls reject with {@link RpcCallError} (`code`, `details`).
 */
export class AgentConnection {
  private readonly metadataClient: service.AgentMetadataServiceClient;
  private readonly asyncClient: service.AsyncAgentServiceClient;
  private readonly syncClient: service.SyncAgentServiceClient;
  private readonly timeouts: AgentCallTimeouts;
  private readonly v2: ConnectorCalls | undefined;
  /** The wire protocol of every call. */
  readonly protocol: WireProtocol;

  constructor(
    /** grpc-js target, e.g. `127.0.0.1:8000`. */
    readonly target: string,
    private readonly channelCredentials: ChannelCredentials,
    private readonly options: AgentConnectionOptions = {},
  ) {
    this.timeouts = {
      listAgents: DEFAULT_UNARY_TIMEOUT_MS,
      createTask: DEFAULT_UNARY_TIMEOUT_MS,
      getTask: DEFAULT_UNARY_TIMEOUT_MS,
      deleteTask: DEFAULT_UNARY_TIMEOUT_MS,
      ...options.timeouts,
    };
    this.metadataClient = new service.AgentMetadataServiceClient(target, channelCredentials, options.channelOptions);
    const channelOverride = this.metadataClient.getChannel();
    this.asyncClient = new service.AsyncAgentServiceClient(target, channelCredentials, { channelOverride });
    this.syncClient = new service.SyncAgentServiceClient(target, channelCredentials, { channelOverride });
    this.protocol = options.protocol ?? "v1";
    if (this.protocol !== "v1" && this.protocol !== "v2") {
      throw new Error(`protocol must be "v1" or "v2", got "${String(this.protocol)}"`);
    }
    this.v2 =
      this.protocol === "v2"
        ? new (connectorCalls())(target, channelCredentials, channelOverride, options.connection)
        : undefined;
  }

  /**
   * AgentMetadataService/ListAgents; over v2 ConnectorMetadataService/ListConnectors, read as a
   * ListAgents reply in which every entry is async.
   */
  async listAgents(timeoutMs = this.timeouts.listAgents, signal?: AbortSignal): Promise<admin.ListAgentsResponse> {
    if (this.v2) {
      if (!this.options.listAgentsOnFreshConnection) return this.v2.listConnectors(timeoutMs, signal);
      const options = { ...this.options.channelOptions, "grpc.use_local_subchannel_pool": 1 };
      return connectorCalls().listConnectorsFresh(this.target, this.channelCredentials, options, timeoutMs, signal);
    }
    if (!this.options.listAgentsOnFreshConnection) {
      return unary("ListAgents", this.metadataClient.listAgents.bind(this.metadataClient), {}, timeoutMs, signal);
    }
    const fresh = new service.AgentMetadataServiceClient(this.target, this.channelCredentials, {
      ...this.options.channelOptions,
      "grpc.use_local_subchannel_pool": 1,
    });
    try {
      return await unary("ListAgents", fresh.listAgents.bind(fresh), {}, timeoutMs, signal);
    } finally {
      fresh.close();
    }
  }

  /** AsyncAgentService/CreateTask (v2: AsyncConnectorService/CreateTask with the connection). */
  createTask(
    request: admin.CreateTaskRequest,
    timeoutMs = this.timeouts.createTask,
    signal?: AbortSignal,
  ): Promise<admin.CreateTaskResponse> {
    if (this.v2) return this.v2.createTask(request, timeoutMs, signal);
    return unary("CreateTask", this.asyncClient.createTask.bind(this.asyncClient), request, timeoutMs, signal);
  }

  /** AsyncAgentService/GetTask (v2: AsyncConnectorService/GetTask; the Resource read back as v1). */
  getTask(
    request: admin.GetTaskRequest,
    timeoutMs = this.timeouts.getTask,
    signal?: AbortSignal,
  ): Promise<admin.GetTaskResponse> {
    if (this.v2) return this.v2.getTask(request, timeoutMs, signal);
    return unary("GetTask", this.asyncClient.getTask.bind(this.asyncClient), request, timeoutMs, signal);
  }

  /** AsyncAgentService/DeleteTask (v2: AsyncConnectorService/DeleteTask with the connection). */
  deleteTask(
    request: admin.DeleteTaskRequest,
    timeoutMs = this.timeouts.deleteTask,
    signal?: AbortSignal,
  ): Promise<admin.DeleteTaskResponse> {
    if (this.v2) return this.v2.deleteTask(request, timeoutMs, signal);
    return unary("DeleteTask", this.asyncClient.deleteTask.bind(this.asyncClient), request, timeoutMs, signal);
  }

  /**
   * Opens SyncAgentService/ExecuteTaskSync and sends what propeller sends: the header, then the
   * inputs (always, even empty), then closes its side. The caller reads the replies.
   * @param timeoutMs deadline of the whole stream; the earlier of it and the connection's
   *   `executeTaskSync` timeout applies
   */
  openExecuteTaskSync(header: admin.CreateRequestHeader, inputs: core.LiteralMap, timeoutMs?: number): SyncStream {
    if (this.v2) throw noSyncServiceError();
    const limits = [timeoutMs, this.timeouts.executeTaskSync].filter((t): t is number => t !== undefined);
    const call = this.syncClient.executeTaskSync(limits.length === 0 ? {} : { deadline: Date.now() + Math.min(...limits) });
    call.write({ part: { $case: "header", value: header } });
    call.write({ part: { $case: "inputs", value: inputs } });
    call.end();
    return call;
  }

  /**
   * SyncAgentService/ExecuteTaskSync (see {@link openExecuteTaskSync}): resolves with the
   * Resource of the first reply, which must be the header variant; whatever follows is ignored
   * and the call cancelled, as propeller does.
   */
  executeTaskSync(
    header: admin.CreateRequestHeader,
    inputs: core.LiteralMap,
    timeoutMs?: number,
    signal?: AbortSignal,
  ): Promise<admin.Resource> {
    const operation = "ExecuteTaskSync";
    return new Promise((resolve, reject) => {
      if (this.v2) return reject(noSyncServiceError());
      if (signal?.aborted) return reject(new RpcCallError(operation, Status.CANCELLED, "cancelled before it was sent"));
      const call = this.openExecuteTaskSync(header, inputs, timeoutMs);
      let settled = false;
      const settle = (fn: () => void) => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener("abort", onAbort);
        fn();
      };
      const onAbort = () => call.cancel();
      signal?.addEventListener("abort", onAbort, { once: true });
      call.on("data", (msg: admin.ExecuteTaskSyncResponse) => {
        settle(() => {
          if (msg.res?.$case === "header" && msg.res.value.resource) resolve(msg.res.value.resource);
          else {
            const got = msg.res?.$case ?? "an empty message";
            reject(
              new RpcCallError(operation, Status.INTERNAL, `the first reply must be a header holding a Resource, got ${got}`),
            );
          }
        });
        // Anything after the first reply is ignored, as propeller does.
        call.cancel();
      });
      call.on("error", (err: ServiceError) => settle(() => reject(toRpcError(operation, err))));
      call.on("end", () =>
        settle(() => reject(new RpcCallError(operation, Status.INTERNAL, "the stream ended without a reply"))),
      );
    });
  }

  /** Closes the channel. */
  close(): void {
    this.metadataClient.close();
  }
}
