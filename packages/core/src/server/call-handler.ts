/**
 * The one way a call is served, whatever its shape and whatever protocol it belongs to.
 *
 * Layers, from the wire inwards:
 *
 * 1. **Call shapes** ({@link unaryCall}, {@link serverStreamCall}, {@link bidiCall}): how a
 *    grpc-js call of that shape delivers its answer (callback, `end()`, `emit("error")`). They
 *    are the only code here that knows grpc-js call objects.
 * 2. **The handler core** ({@link serveCall}): opens a {@link RequestScope} (deadline, client
 *    cancel and forced shutdown as one AbortSignal, in-flight tracking), runs the work, maps
 *    whatever it throws to a status (cause chain included, secrets redacted), then records the
 *    metrics and the request's log line exactly once, before the answer leaves. It knows no
 *    protocol: it sees a {@link CallSurface} and a {@link CallReply}.
 * 3. **Protocol adapters** (`async-service.ts`, `sync-service.ts`, `metadata-service.ts` for
 *    flyteidl v1): a service implementation object whose methods only map the wire request to
 *    the protocol-neutral operation in `agent-operations.ts` and its result back to the wire
 *    reply.
 *
 * How a second protocol plugs in (for example Flyte 2's `flyteidl2.connector`
 * AsyncConnectorService and ConnectorMetadataService): write one adapter file per service
 * that, for each method, calls the call shape matching the method (`unaryCall` for CreateTask,
 * `serverStreamCall` for GetTaskLogs, ...) with a work function that decodes that protocol's
 * request into the neutral operation's arguments (`task.Inputs` to a LiteralMap, `connection`
 * into the context) and encodes the result into that protocol's reply (`Resource.outputs` as
 * `task.Outputs`). Register it on the server next to the v1 services. Scope, metrics, log line
 * and error mapping come from here unchanged, and no plugin changes. A transport that is not
 * grpc-js (say connect-node) needs only its own call shapes over {@link serveCall}.
 * @module
 */
import type { sendUnaryData, ServerDuplexStream, ServerUnaryCall, ServerWritableStream, StatusObject } from "@grpc/grpc-js";
import type { Operation } from "../metrics";
import { type CallSurface, RequestScope, type ScopeReply, type ServerEnv } from "./request-scope";
import type { Decoded } from "./safe-deserialize";

/** How the answer of one call leaves, set by its call shape. */
export type CallReply<T> = ScopeReply<T>;

/** The work of one call: gets the call's scope, resolves with the result or throws. */
export type CallWork<T> = (scope: RequestScope) => Promise<T>;

/**
 * The handler core: runs `work` inside a new {@link RequestScope} and answers through `reply`.
 * Metrics and the log line are recorded before the answer is sent, so a client that has its
 * answer can rely on both. Never throws.
 */
export function serveCall<T>(
  env: ServerEnv,
  operation: Operation,
  call: CallSurface,
  work: CallWork<T>,
  reply: CallReply<T>,
): void {
  const scope = new RequestScope(env, operation, call);
  scope.serve(work, reply);
}

/**
 * A grpc-js unary handler around {@link serveCall}. `work` gets the scope and the decoded
 * request (check `DECODE_ERROR` with `checkDecoded`).
 */
export function unaryCall<TReq extends object, TRes>(
  env: ServerEnv,
  operation: Operation,
  work: (scope: RequestScope, request: Decoded<TReq>) => Promise<TRes>,
): (call: ServerUnaryCall<TReq, TRes>, callback: sendUnaryData<TRes>) => void {
  return (call, callback) =>
    serveCall(env, operation, call, (scope) => work(scope, call.request as Decoded<TReq>), new UnaryReply(callback));
}

/** The answer of a unary call: the grpc-js callback (one object per call, no closures). */
class UnaryReply<TRes> implements CallReply<TRes> {
  constructor(private readonly callback: sendUnaryData<TRes>) {}
  ok(result: TRes): void {
    this.callback(null, result);
  }
  fail(status: StatusObject): void {
    this.callback(status);
  }
}

/** Writes one message of a server stream, resolving once the stream can take more. */
export type StreamSend<TRes> = (message: TRes) => Promise<void>;

/**
 * A grpc-js server-streaming handler around {@link serveCall}. `work` sends messages with
 * `send` (which waits for the stream to drain) and resolves when the stream is complete.
 */
export function serverStreamCall<TReq extends object, TRes>(
  env: ServerEnv,
  operation: Operation,
  work: (scope: RequestScope, request: Decoded<TReq>, send: StreamSend<TRes>) => Promise<void>,
): (call: ServerWritableStream<TReq, TRes>) => void {
  return (call) => {
    const send: StreamSend<TRes> = (message) =>
      new Promise((resolve) => {
        if (call.write(message)) resolve();
        else call.once("drain", () => resolve());
      });
    serveCall(env, operation, call, (scope) => work(scope, call.request as Decoded<TReq>, send), {
      ok: () => call.end(),
      fail: (status) => call.emit("error", status),
    });
  };
}

/**
 * A grpc-js bidi handler around {@link serveCall} for calls answered by exactly one message:
 * `work` reads the client's side from the call and resolves with the one reply, which is
 * written before the stream ends.
 */
export function bidiCall<TReq, TRes>(
  env: ServerEnv,
  operation: Operation,
  work: (scope: RequestScope, call: ServerDuplexStream<TReq, TRes>) => Promise<TRes>,
): (call: ServerDuplexStream<TReq, TRes>) => void {
  return (call) =>
    serveCall(env, operation, call, (scope) => work(scope, call), {
      ok: (message) => {
        call.write(message);
        call.end();
      },
      fail: (status) => call.emit("error", status),
    });
}
