/**
 * Unary calls served straight off their HTTP/2 stream, beside grpc-js.
 *
 * grpc-js builds an interceptor chain, a metadata object, a read queue and a stream decoder for
 * every call, and answers through three promise-and-callback hops. For a unary call none of
 * that is needed: one request message arrives, one reply or one status leaves. This module
 * serves exactly those calls with the same generated (de)serializers and the same handler
 * functions that are registered on grpc-js, and hands every other stream to grpc-js untouched
 * (streaming methods, reflection, unknown paths, compressed requests, a malformed
 * `grpc-timeout`, anything that is not `application/grpc*`).
 *
 * What a client sees is what grpc-js sends: the same response headers, the same trailers, and
 * the same status codes for a missing or second request message, an oversized request, a
 * request that does not decode and a passed deadline. The reliability suite runs against both
 * (`FLYTE_AGENT_DIRECT_UNARY=false` turns this off).
 * @module
 */
import type { Http2SecureServer, Http2Server, IncomingHttpHeaders, ServerHttp2Stream } from "node:http2";
import {
  Metadata,
  type Server as GrpcServer,
  type ServiceDefinition,
  status as Status,
  type StatusObject,
  type UntypedHandleCall,
} from "@grpc/grpc-js";

type Http2Like = Http2Server | Http2SecureServer;
type StreamListener = (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, flags: number, rawHeaders: string[]) => void;

/** One unary method as registered: its path, its codec and its handler. */
interface UnaryMethod {
  readonly path: string;
  readonly deserialize: (bytes: Buffer) => unknown;
  readonly serialize: (value: unknown) => Buffer;
  readonly handler: (call: unknown, callback: UnaryCallback) => void;
}

type UnaryCallback = (error: unknown, value?: unknown, trailer?: Metadata | null) => void;

// grpc-js's own reading of `grpc-timeout` (unanchored, as it is there) and its units in ms.
const TIMEOUT_PATTERN = /(\d{1,8})\s*([HMSmun])/;
const TIMEOUT_UNIT_MS: Record<string, number> = { H: 3_600_000, M: 60_000, S: 1000, m: 1, u: 0.001, n: 0.000_001 };

/** The `grpc-timeout` header in ms as grpc-js reads it: undefined without one, NaN when malformed. */
function timeoutMsOf(header: string | string[] | undefined): number | undefined {
  if (header === undefined) return undefined;
  const match = typeof header === "string" ? TIMEOUT_PATTERN.exec(header) : null;
  if (match === null) return Number.NaN;
  return (Number(match[1]) * (TIMEOUT_UNIT_MS[match[2] ?? "S"] ?? 1000)) | 0;
}

/** Response headers of every answer with a message (grpc-js sends the same). */
const MESSAGE_HEADERS = {
  ":status": 200,
  "content-type": "application/grpc+proto",
  "grpc-accept-encoding": "identity,deflate,gzip",
  "grpc-encoding": "identity",
};
const MESSAGE_RESPONSE_OPTIONS = { waitForTrailers: true, sendDate: false };
const TRAILERS_ONLY_OPTIONS = { endStream: true, sendDate: false };
const OK_TRAILERS = { "grpc-status": "0", "grpc-message": "OK" };

/** Headers grpc-js takes out of the metadata it shows handlers. */
const TRANSPORT_HEADERS = ["grpc-timeout", "grpc-encoding", "grpc-accept-encoding", "accept-encoding", "te", "content-type"];

function ignoreStreamError(): void {
  // A stream error is always followed by "close", which is where a call notices it.
}

function sendOkTrailers(this: ServerHttp2Stream): void {
  this.sendTrailers(OK_TRAILERS);
}

/** What a handler threw or passed to its callback, as the status grpc-js would send for it. */
function statusOfError(error: unknown, trailer: Metadata | null | undefined): StatusObject {
  const e = (typeof error === "object" && error !== null ? error : {}) as Partial<StatusObject> & { message?: unknown };
  const code = typeof e.code === "number" && Number.isInteger(e.code) ? e.code : Status.UNKNOWN;
  const details = typeof e.details === "string" ? e.details : typeof e.message === "string" ? e.message : "Unknown Error";
  const metadata = e.metadata instanceof Metadata ? e.metadata : (trailer ?? new Metadata());
  return { code, details, metadata };
}

/**
 * The unary methods of the services added through {@link DirectUnaryCalls.addService}, and the
 * dispatcher that serves them in front of grpc-js's own stream handler.
 */
export class DirectUnaryCalls {
  private readonly methods = new Map<string, UnaryMethod>();
  private streamOpened: ((stream: ServerHttp2Stream) => void) | undefined;

  /** @param maxReceiveMessageBytes the largest request message accepted (grpc-js's `grpc.max_receive_message_length`; -1: no limit) */
  constructor(private readonly maxReceiveMessageBytes: number) {}

  /** Notes the unary methods of a service; call it with what is also added to grpc-js. */
  addService(definition: ServiceDefinition, implementation: Record<string, UntypedHandleCall>): void {
    for (const [name, method] of Object.entries(definition)) {
      const handler = implementation[name] ?? implementation[method.originalName ?? ""];
      if (method.requestStream || method.responseStream || typeof handler !== "function") continue;
      this.methods.set(method.path, {
        path: method.path,
        deserialize: method.requestDeserialize,
        serialize: method.responseSerialize as (value: unknown) => Buffer,
        handler: handler as UnaryMethod["handler"],
      });
    }
  }

  /**
   * Puts the dispatcher in front of grpc-js's stream handler on `http2` (the server behind one
   * of its listeners). Returns false, changing nothing, when the server does not look as
   * grpc-js 1.14 leaves it (one "stream" listener); calls then all go to grpc-js.
   */
  attach(http2: Http2Like, grpcServer: GrpcServer): boolean {
    const listeners = http2.listeners("stream") as StreamListener[];
    const grpcListener = listeners[0];
    if (listeners.length !== 1 || grpcListener === undefined || this.methods.size === 0) return false;
    // grpc-js counts open streams per connection for its idle timeout (`grpc.max_connection_idle_ms`).
    const opened = (grpcServer as unknown as { onStreamOpened?: unknown }).onStreamOpened;
    this.streamOpened = typeof opened === "function" ? (stream) => opened.call(grpcServer, stream) : undefined;
    http2.off("stream", grpcListener);
    http2.on("stream", (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, flags: number, rawHeaders: string[]) => {
      const method = this.methodFor(headers);
      // A malformed grpc-timeout goes to grpc-js too, which answers it.
      const timeoutMs = method === undefined ? undefined : timeoutMsOf(headers["grpc-timeout"]);
      if (method === undefined || Number.isNaN(timeoutMs)) grpcListener.call(http2, stream, headers, flags, rawHeaders);
      else {
        this.streamOpened?.(stream);
        new DirectUnaryCall(stream, headers, method, this.maxReceiveMessageBytes, timeoutMs);
      }
    });
    return true;
  }

  /** The method this stream calls, when it is one this module serves; undefined hands it to grpc-js. */
  private methodFor(headers: IncomingHttpHeaders): UnaryMethod | undefined {
    const path = headers[":path"];
    const method = path === undefined ? undefined : this.methods.get(path);
    if (method === undefined) return undefined;
    const contentType = headers["content-type"];
    if (typeof contentType !== "string" || !contentType.startsWith("application/grpc")) return undefined;
    const encoding = headers["grpc-encoding"];
    if (encoding !== undefined && encoding !== "identity") return undefined;
    return method;
  }
}

/**
 * One unary call: reads the request message, runs the handler with a call object that has what
 * grpc-js's `ServerUnaryCall` offers, and answers exactly once.
 */
class DirectUnaryCall {
  /** The decoded request (set before the handler runs). */
  request: unknown;
  /** Whether the client went away or the deadline passed before the answer. */
  cancelled = false;
  private deadline = Number.POSITIVE_INFINITY;
  private deadlineTimer: NodeJS.Timeout | undefined;
  private answered = false;
  private cancelListeners: Array<() => void> | undefined;
  private first: Buffer | undefined;
  private more: Buffer[] | undefined;
  private received = 0;
  private requestMetadata: Metadata | undefined;
  private responseMetadata: Metadata | undefined;
  private readonly closeListener = () => this.onClose();
  private readonly dataListener = (chunk: Buffer) => this.onData(chunk);
  private readonly endListener = () => this.onEnd();

  constructor(
    private readonly stream: ServerHttp2Stream,
    private readonly headers: IncomingHttpHeaders,
    private readonly method: UnaryMethod,
    private readonly maxReceiveMessageBytes: number,
    timeoutMs: number | undefined,
  ) {
    stream.once("error", ignoreStreamError);
    stream.once("close", this.closeListener);
    stream.on("data", this.dataListener);
    stream.once("end", this.endListener);
    if (timeoutMs !== undefined) this.startDeadline(timeoutMs);
  }

  private startDeadline(ms: number): void {
    this.deadline = Date.now() + ms;
    this.deadlineTimer = setTimeout(() => {
      this.deadlineTimer = undefined;
      this.answerStatus(Status.DEADLINE_EXCEEDED, "Deadline exceeded");
      this.notifyCancelled();
    }, ms);
  }

  private onData(chunk: Buffer): void {
    if (this.answered) return;
    if (this.first === undefined) this.first = chunk;
    else if (this.more === undefined) this.more = [this.first, chunk];
    else this.more.push(chunk);
    const before = this.received;
    this.received += chunk.length;
    // The declared length of the first message is known once its 5-byte prefix is in.
    if (before < 5 && this.received >= 5 && this.maxReceiveMessageBytes >= 0) {
      const declared = this.prefix().readUInt32BE(1);
      if (declared > this.maxReceiveMessageBytes) {
        this.answerStatus(
          Status.RESOURCE_EXHAUSTED,
          `Received message larger than max (${declared} vs ${this.maxReceiveMessageBytes})`,
        );
      }
    }
  }

  /** The first bytes of the body (at least 5 once that many arrived). */
  private prefix(): Buffer {
    if (this.more === undefined || (this.first?.length ?? 0) >= 5) return this.first as Buffer;
    return Buffer.concat(this.more);
  }

  private onEnd(): void {
    if (this.answered) return;
    const body = this.more ? Buffer.concat(this.more, this.received) : (this.first ?? Buffer.alloc(0));
    this.first = undefined;
    this.more = undefined;
    const length = body.length >= 5 ? body.readUInt32BE(1) : -1;
    if (length < 0 || body.length < 5 + length) {
      this.answerStatus(Status.UNIMPLEMENTED, `Received no request message for server streaming method ${this.method.path}`);
      return;
    }
    if (body.length > 5 + length) {
      this.answerStatus(
        Status.UNIMPLEMENTED,
        `Received a second request message for server streaming method ${this.method.path}`,
      );
      return;
    }
    try {
      this.request = this.method.deserialize(body.subarray(5));
    } catch {
      this.answerStatus(Status.INTERNAL, "Error deserializing request");
      return;
    }
    try {
      this.method.handler(this, (error, value, trailer) => this.answer(error, value, trailer));
    } catch (err) {
      this.answer(err, undefined, undefined);
    }
  }

  private answer(error: unknown, value: unknown, trailer: Metadata | null | undefined): void {
    if (this.answered) return;
    if (error) {
      const status = statusOfError(error, trailer);
      this.answerStatus(status.code, status.details, status.metadata);
      return;
    }
    let message: Buffer;
    try {
      message = this.method.serialize(value);
    } catch {
      this.answerStatus(Status.INTERNAL, "Error serializing response");
      return;
    }
    if (!this.settle()) return;
    const frame = Buffer.allocUnsafe(message.length + 5);
    frame[0] = 0;
    frame.writeUInt32BE(message.length, 1);
    frame.set(message, 5);
    const headers = this.responseMetadata ? { ...this.responseMetadata.toHttp2Headers(), ...MESSAGE_HEADERS } : MESSAGE_HEADERS;
    this.stream.respond(headers, MESSAGE_RESPONSE_OPTIONS);
    if (trailer) {
      const trailers = { ...trailer.toHttp2Headers(), ...OK_TRAILERS };
      this.stream.once("wantTrailers", () => this.stream.sendTrailers(trailers));
    } else this.stream.once("wantTrailers", sendOkTrailers);
    this.stream.end(frame);
  }

  /** A trailers-only answer (grpc-js sends failures the same way). */
  private answerStatus(code: Status, details: string, metadata?: Metadata): void {
    if (!this.settle()) return;
    this.stream.respond(
      {
        ...metadata?.toHttp2Headers(),
        ":status": 200,
        "content-type": "application/grpc+proto",
        "grpc-status": String(code),
        "grpc-message": encodeURI(details),
      },
      TRAILERS_ONLY_OPTIONS,
    );
    // The rest of the request, if any, is read and dropped so the stream can close.
    this.stream.resume();
  }

  /** Marks the call answered; false when it already was or the stream can no longer carry an answer. */
  private settle(): boolean {
    if (this.answered) return false;
    this.answered = true;
    if (this.deadlineTimer) clearTimeout(this.deadlineTimer);
    this.deadlineTimer = undefined;
    return !(this.stream.destroyed || this.stream.closed);
  }

  private onClose(): void {
    if (this.deadlineTimer) clearTimeout(this.deadlineTimer);
    this.deadlineTimer = undefined;
    if (!this.answered) {
      this.answered = true;
      this.notifyCancelled();
    }
    this.release();
  }

  /**
   * Lets go of everything the call held. Node keeps a closed stream object (a wrapper of a
   * native handle) until the next full collection; without this, the request, the scope and
   * everything reachable from these listeners would be kept and promoted with it.
   */
  private release(): void {
    this.stream.off("data", this.dataListener);
    this.stream.off("end", this.endListener);
    this.request = undefined;
    this.first = undefined;
    this.more = undefined;
    this.cancelListeners = undefined;
    this.requestMetadata = undefined;
    this.responseMetadata = undefined;
  }

  private notifyCancelled(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    const listeners = this.cancelListeners;
    this.cancelListeners = undefined;
    if (listeners) for (const listener of listeners) listener();
  }

  // --- what handlers use of grpc-js's ServerUnaryCall ---

  /** The client's deadline in ms since the epoch (Infinity without one). */
  getDeadline(): number {
    return this.deadline;
  }

  /** Listens for "cancelled": the client went away, or the deadline passed, before the answer. */
  on(event: string, listener: () => void): this {
    if (event !== "cancelled" || this.cancelled) return this;
    if (this.cancelListeners === undefined) this.cancelListeners = [listener];
    else this.cancelListeners.push(listener);
    return this;
  }

  /** As {@link DirectUnaryCall.on}: "cancelled" fires at most once. */
  once(event: string, listener: () => void): this {
    return this.on(event, listener);
  }

  /** Stops listening. */
  removeListener(event: string, listener: () => void): this {
    if (event === "cancelled" && this.cancelListeners) this.cancelListeners = this.cancelListeners.filter((l) => l !== listener);
    return this;
  }

  /** The request's metadata, without the transport's own headers (as grpc-js shows it). */
  get metadata(): Metadata {
    if (this.requestMetadata === undefined) {
      const metadata = Metadata.fromHttp2Headers(this.headers);
      for (const name of TRANSPORT_HEADERS) metadata.remove(name);
      this.requestMetadata = metadata;
    }
    return this.requestMetadata;
  }

  /** Adds response headers sent with the answer (before it is sent). */
  sendMetadata(metadata: Metadata): void {
    if (!this.answered) this.responseMetadata = metadata;
  }

  /** `address:port` of the client. */
  getPeer(): string {
    const socket = this.stream.session?.socket;
    if (!socket?.remoteAddress) return "unknown";
    return socket.remotePort ? `${socket.remoteAddress}:${socket.remotePort}` : socket.remoteAddress;
  }

  /** The method's path. */
  getPath(): string {
    return this.method.path;
  }

  /** The `:authority` the client sent. */
  getHost(): string {
    return String(this.headers[":authority"] ?? this.headers.host ?? "");
  }
}
