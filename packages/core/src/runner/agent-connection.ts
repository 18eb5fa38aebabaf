import { readFileSync } from "node:fs";
import {
  type CallOptions,
  type ChannelCredentials,
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
  constructor(
    readonly operation: string,
    readonly code: Status,
    readonly details: string,
  ) {
    super(`${operation} failed: ${Status[code] ?? code}: ${details}`);
    this.name = "RpcCallError";
  }
}

type UnaryMethod<Req, Res> = (
  request: Req,
  metadata: Metadata,
  options: Partial<CallOptions>,
  callback: (error: ServiceError | null, response: Res) => void,
) => ClientUnaryCall;

function toRpcError(operation: string, err: unknown): RpcCallError {
  const e = err as Partial<ServiceError>;
  return new RpcCallError(operation, typeof e.code === "number" ? e.code : Status.UNKNOWN, e.details ?? e.message ?? String(err));
}

function unary<Req, Res>(
  operation: string,
  method: UnaryMethod<Req, Res>,
  request: Req,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<Res> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new RpcCallError(operation, Status.CANCELLED, "cancelled before it was sent"));
    const onAbort = () => call.cancel();
    const call = method(request, new Metadata(), { deadline: Date.now() + timeoutMs }, (err, res) => {
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

/**
 * The three agent services over one channel, called the way propeller calls them: unary
 * CreateTask/GetTask/DeleteTask/ListAgents with a deadline each, and ExecuteTaskSync as a bidi
 * stream (header, then inputs, then half-close; exactly one reply read).
 */
export class AgentConnection {
  private readonly metadataClient: service.AgentMetadataServiceClient;
  private readonly asyncClient: service.AsyncAgentServiceClient;
  private readonly syncClient: service.SyncAgentServiceClient;

  constructor(
    /** grpc-js target, e.g. `127.0.0.1:8000`. */
    readonly target: string,
    channelCredentials: ChannelCredentials,
  ) {
    this.metadataClient = new service.AgentMetadataServiceClient(target, channelCredentials);
    const channelOverride = this.metadataClient.getChannel();
    this.asyncClient = new service.AsyncAgentServiceClient(target, channelCredentials, { channelOverride });
    this.syncClient = new service.SyncAgentServiceClient(target, channelCredentials, { channelOverride });
  }

  /** AgentMetadataService/ListAgents. */
  listAgents(timeoutMs: number, signal?: AbortSignal): Promise<admin.ListAgentsResponse> {
    return unary("ListAgents", this.metadataClient.listAgents.bind(this.metadataClient), {}, timeoutMs, signal);
  }

  /** AsyncAgentService/CreateTask. */
  createTask(request: admin.CreateTaskRequest, timeoutMs: number, signal?: AbortSignal): Promise<admin.CreateTaskResponse> {
    return unary("CreateTask", this.asyncClient.createTask.bind(this.asyncClient), request, timeoutMs, signal);
  }

  /** AsyncAgentService/GetTask. */
  getTask(request: admin.GetTaskRequest, timeoutMs: number, signal?: AbortSignal): Promise<admin.GetTaskResponse> {
    return unary("GetTask", this.asyncClient.getTask.bind(this.asyncClient), request, timeoutMs, signal);
  }

  /** AsyncAgentService/DeleteTask. */
  deleteTask(request: admin.DeleteTaskRequest, timeoutMs: number, signal?: AbortSignal): Promise<admin.DeleteTaskResponse> {
    return unary("DeleteTask", this.asyncClient.deleteTask.bind(this.asyncClient), request, timeoutMs, signal);
  }

  /**
   * SyncAgentService/ExecuteTaskSync: sends the header, then the inputs, closes its side and
   * resolves with the Resource of the first reply (which must be the header variant).
   */
  executeTaskSync(
    header: admin.CreateRequestHeader,
    inputs: core.LiteralMap,
    timeoutMs: number | undefined,
    signal?: AbortSignal,
  ): Promise<admin.Resource> {
    const operation = "ExecuteTaskSync";
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(new RpcCallError(operation, Status.CANCELLED, "cancelled before it was sent"));
      const call = this.syncClient.executeTaskSync(timeoutMs === undefined ? {} : { deadline: Date.now() + timeoutMs });
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
          else reject(new RpcCallError(operation, Status.INTERNAL, "the first reply is not a header with a Resource"));
        });
        // Anything after the first reply is ignored, as propeller does.
        call.cancel();
      });
      call.on("error", (err) => settle(() => reject(toRpcError(operation, err))));
      call.on("end", () =>
        settle(() => reject(new RpcCallError(operation, Status.INTERNAL, "the stream ended without a reply"))),
      );
      call.write({ part: { $case: "header", value: header } });
      call.write({ part: { $case: "inputs", value: inputs } });
      call.end();
    });
  }

  /** Closes the channel. */
  close(): void {
    this.metadataClient.close();
  }
}
