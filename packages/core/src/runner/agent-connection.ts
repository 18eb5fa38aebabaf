import { readFileSync } from "node:fs";
import {
  type CallOptions,
  type ChannelCredentials,
  type ChannelOptions,
  type ClientDuplexStream,
  type ClientUnaryCall,
  credentials,
  Metadata,
  type ServiceError,
  status as Status,
} from "@grpc/grpc-js";
import { service, type admin, type core } from "@flyte-agent/flyteidl";
import type { ClientTlsOptions } from "./types";

/** A failed call to the agent service, with its gRPC status. */
export class RpcCallError extends Error {
  /** The status name and details without the operation, e.g. `UNAVAILABLE: No connection established...`. */
  readonly summary: string;

  constructor(
    /** The call, e.g. `"DeleteTask"`. */
    readonly operation: string,
    /** The gRPC status code. */
    readonly code: Status,
    /** The status details (what the server or the channel said). */
    readonly details: string,
  ) {
    const summary = `${Status[code] ?? code}: ${details}`;
    super(`${operation} failed: ${summary}`);
    this.name = "RpcCallError";
    this.summary = summary;
  }
}

/**
 * Status details as grpc-js reports them, minus an empty trailing "Resolution note: " (its
 * pick-first balancer appends one even when the resolver had nothing to say).
 */
export function cleanStatusDetails(details: string): string {
  return details.replace(/\.?\s*Resolution note:\s*$/, "");
}

type UnaryMethod<Req, Res> = (
  request: Req,
  metadata: Metadata,
  options: Partial<CallOptions>,
  callback: (error: ServiceError | null, response: Res) => void,
) => ClientUnaryCall;

function toRpcError(operation: string, err: unknown): RpcCallError {
  const e = err as Partial<ServiceError>;
  const details = e.details ?? e.message ?? String(err);
  return new RpcCallError(operation, typeof e.code === "number" ? e.code : Status.UNKNOWN, cleanStatusDetails(details));
}

function unary<Req, Res>(
  operation: string,
  method: UnaryMethod<Req, Res>,
  request: Req,
  timeoutMs: number | undefined,
  signal?: AbortSignal,
): Promise<Res> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new RpcCallError(operation, Status.CANCELLED, "cancelled before it was sent"));
    const onAbort = () => call.cancel();
    const options = timeoutMs === undefined ? {} : { deadline: Date.now() + timeoutMs };
    const call = method(request, new Metadata(), options, (err, res) => {
      signal?.removeEventListener("abort", onAbort);
      if (err) reject(toRpcError(operation, err));
      else resolve(res);
    });
    signal?.addEventListener("abort", onAbort, { once: true });
  });
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
}

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
  }

  /** AgentMetadataService/ListAgents. */
  async listAgents(timeoutMs = this.timeouts.listAgents, signal?: AbortSignal): Promise<admin.ListAgentsResponse> {
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

  /** AsyncAgentService/CreateTask. */
  createTask(
    request: admin.CreateTaskRequest,
    timeoutMs = this.timeouts.createTask,
    signal?: AbortSignal,
  ): Promise<admin.CreateTaskResponse> {
    return unary("CreateTask", this.asyncClient.createTask.bind(this.asyncClient), request, timeoutMs, signal);
  }

  /** AsyncAgentService/GetTask. */
  getTask(
    request: admin.GetTaskRequest,
    timeoutMs = this.timeouts.getTask,
    signal?: AbortSignal,
  ): Promise<admin.GetTaskResponse> {
    return unary("GetTask", this.asyncClient.getTask.bind(this.asyncClient), request, timeoutMs, signal);
  }

  /** AsyncAgentService/DeleteTask. */
  deleteTask(
    request: admin.DeleteTaskRequest,
    timeoutMs = this.timeouts.deleteTask,
    signal?: AbortSignal,
  ): Promise<admin.DeleteTaskResponse> {
    return unary("DeleteTask", this.asyncClient.deleteTask.bind(this.asyncClient), request, timeoutMs, signal);
  }

  /**
   * Opens SyncAgentService/ExecuteTaskSync and sends what propeller sends: the header, then the
   * inputs (always, even empty), then closes its side. The caller reads the replies.
   * @param timeoutMs deadline of the whole stream; the earlier of it and the connection's
   *   `executeTaskSync` timeout applies
   */
  openExecuteTaskSync(header: admin.CreateRequestHeader, inputs: core.LiteralMap, timeoutMs?: number): SyncStream {
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
