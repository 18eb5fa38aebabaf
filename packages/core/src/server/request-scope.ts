import { status as Status, type ServerUnaryCall, type StatusObject, Metadata } from "@grpc/grpc-js";

interface ServerSurfaceCall {
  getDeadline: ServerUnaryCall<unknown, unknown>["getDeadline"];
  once(event: "cancelled", listener: () => void): unknown;
}
import type { Logger } from "pino";
import { AgentError, isAgentError } from "../errors";
import type { AgentMetrics, Operation } from "../metrics";
import { redactSecrets } from "../secrets";

/** Shared by every handler: where metrics and logs go, and what is in flight. */
export interface ServerEnv {
  readonly metrics: AgentMetrics;
  readonly log: Logger;
  readonly inFlight: InFlight;
}

/** The calls being served, so shutdown can wait for them or abort them. */
export class InFlight {
  private readonly scopes = new Set<RequestScope>();
  private idleWaiters: Array<() => void> = [];

  add(scope: RequestScope): void {
    this.scopes.add(scope);
  }

  delete(scope: RequestScope): void {
    this.scopes.delete(scope);
    if (this.scopes.size === 0) {
      for (const w of this.idleWaiters) w();
      this.idleWaiters = [];
    }
  }

  get size(): number {
    return this.scopes.size;
  }

  /** Resolves when nothing is in flight. */
  idle(): Promise<void> {
    if (this.scopes.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Aborts every in-flight call's work (drain timeout passed). */
  abortAll(reason: string): void {
    for (const s of this.scopes) s.abort(Status.UNAVAILABLE, reason);
  }
}

const MAX_MESSAGE = 300;

function shortMessage(err: unknown): string {
  const raw = err instanceof Error ? err.message : typeof err === "string" ? err : "unknown error";
  const firstLine = raw.split("\n", 1)[0] ?? "";
  const clipped = firstLine.length > MAX_MESSAGE ? `${firstLine.slice(0, MAX_MESSAGE)}...` : firstLine;
  return redactSecrets(clipped);
}

/**
 * One RPC being served: its AbortSignal (deadline, client cancel, forced shutdown), the labels
 * for its metrics and log line, and the mapping of whatever it throws to a gRPC status.
 */
export class RequestScope {
  private readonly controller = new AbortController();
  private abortStatus: { code: Status; details: string } | undefined;
  private readonly started = process.hrtime.bigint();
  private readonly timer: NodeJS.Timeout | undefined;
  private finished = false;
  /** Task type label (category name) once known. */
  taskType = "unknown";
  /** Category label for logs (`name@version`) once known. */
  category = "";
  /** Agent name once routed. */
  agentName = "";
  /** Deadline sent by the client, if any. */
  readonly deadline: Date | undefined;

  constructor(
    private readonly env: ServerEnv,
    readonly operation: Operation,
    call: ServerSurfaceCall,
  ) {
    const d = call.getDeadline();
    const ms = d instanceof Date ? d.getTime() : d;
    if (Number.isFinite(ms)) {
      this.deadline = new Date(ms);
      const delay = Math.max(0, ms - Date.now());
      this.timer = setTimeout(() => this.abort(Status.DEADLINE_EXCEEDED, "deadline exceeded"), delay);
      this.timer.unref();
    }
    call.once("cancelled", () => this.abort(Status.CANCELLED, "cancelled by the client"));
    env.inFlight.add(this);
  }

  /** Fires when the call must stop. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Stops the call's work with a status. */
  abort(code: Status, details: string): void {
    // grpc-js emits "cancelled" after every call once its status is sent: ignore it then.
    if (this.finished || this.controller.signal.aborted) return;
    this.abortStatus = { code, details };
    this.controller.abort(new AgentError(code, details));
  }

  /**
   * Runs the work, racing it against the signal so a plugin that ignores the signal cannot
   * hold the call past its deadline. Never rejects with a non-status error.
   */
  async run<T>(work: () => Promise<T>): Promise<T> {
    const signal = this.controller.signal;
    if (signal.aborted) throw this.statusFor(signal.reason);
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(signal.reason);
      signal.addEventListener("abort", onAbort, { once: true });
    });
    const task = Promise.resolve().then(work);
    task.catch(() => undefined); // a late rejection after abort must not become unhandled
    try {
      return await Promise.race([task, aborted]);
    } catch (err) {
      throw this.statusFor(err);
    } finally {
      if (onAbort) signal.removeEventListener("abort", onAbort);
    }
  }

  /** Maps anything thrown to the status sent to the client. */
  statusFor(err: unknown): StatusObject {
    if (this.abortStatus) return this.status(this.abortStatus.code, this.abortStatus.details);
    if (isAgentError(err) && err.code !== Status.INTERNAL && err.code !== Status.UNKNOWN && err.code !== Status.OK) {
      return this.status(err.code, redactSecrets(err.message));
    }
    const who = this.agentName ? `agent "${this.agentName}"` : "agent";
    return this.status(
      Status.INTERNAL,
      `${who} failed to ${this.operation.replace("_", " ")} ${this.category}: ${shortMessage(err)}`,
    );
  }

  private status(code: Status, details: string): StatusObject {
    return { code, details, metadata: new Metadata() };
  }

  /** Records metrics and the request's log line; call exactly once. */
  finish(result: StatusObject | undefined, err?: unknown): void {
    this.finished = true;
    if (this.timer) clearTimeout(this.timer);
    this.env.inFlight.delete(this);
    const seconds = Number(process.hrtime.bigint() - this.started) / 1e9;
    const code = result?.code ?? Status.OK;
    const codeName = Status[code] ?? String(code);
    this.env.metrics.observe(this.taskType, this.operation, seconds, code === Status.OK ? undefined : codeName);
    const line = {
      operation: this.operation,
      category: this.category || undefined,
      agent: this.agentName || undefined,
      status: codeName,
      durationMs: Math.round(seconds * 1e6) / 1e3,
    };
    if (code === Status.OK) this.env.log.info(line, "request");
    else if (code === Status.INTERNAL) {
      this.env.log.error(
        { ...line, error: result?.details, cause: err instanceof Error ? err.name : undefined },
        "request failed",
      );
    } else this.env.log.warn({ ...line, error: result?.details }, "request failed");
  }
}
