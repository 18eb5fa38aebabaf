import { type CallOptions, type ClientUnaryCall, Metadata, type ServiceError, status as Status } from "@grpc/grpc-js";

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

/** A grpc-js unary client method (request, metadata, options, callback). */
export type UnaryMethod<Req, Res> = (
  request: Req,
  metadata: Metadata,
  options: Partial<CallOptions>,
  callback: (error: ServiceError | null, response: Res) => void,
) => ClientUnaryCall;

/** A grpc-js error (or anything thrown) as an {@link RpcCallError} of `operation`. */
export function toRpcError(operation: string, err: unknown): RpcCallError {
  const e = err as Partial<ServiceError>;
  const details = e.details ?? e.message ?? String(err);
  return new RpcCallError(operation, typeof e.code === "number" ? e.code : Status.UNKNOWN, cleanStatusDetails(details));
}

/**
 * Sends one unary call with an optional deadline; aborting `signal` cancels it. Failures reject
 * with {@link RpcCallError}.
 */
export function unary<Req, Res>(
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
