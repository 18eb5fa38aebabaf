import { status as Status, type StatusObject, Metadata, type Deadline } from "@grpc/grpc-js";
import type { Logger } from "pino";
import { boundStatusDetails } from "../bounded-text";
import { describeErrorChain } from "../error-chain";
import { AgentError, isAgentError } from "../errors";
import type { AgentMetrics, Operation } from "../metrics";
import { redactSecrets } from "../secrets";
import type { AgentLogger, CallContext } from "../types";

/**
 * What a scope needs from the call it serves, whatever the protocol: the client's deadline
 * and an event when the client goes away (grpc-js server calls have both).
 */
export interface CallSurface {
  getDeadline(): Deadline;
  once(event: "cancelled", listener: () => void): unknown;
}

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

/**
 * The text of an error an agent chose the status of: its whole message as before, followed by
 * what caused it when it carries a `cause`.
 */
function chosenStatusText(err: AgentError): string {
  const message = redactSecrets(err.message);
  const cause = (err as { cause?: unknown }).cause;
  if (cause === undefined || cause === null) return message;
  const why = describeErrorChain(cause);
  return message.includes(why) ? message : `${message}: ${why}`;
}

/**
 * One RPC being served: its AbortSignal (deadline, client cancel, forced shutdown), the labels
 * for its metrics and log line, and the mapping of whatever it throws to a gRPC status.
 */
export class RequestScope {
  private controller: AbortController | undefined;
  private abortStatus: { code: Status; details: string } | undefined;
  private rejectRun: ((status: StatusObject) => void) | undefined;
  private readonly started = process.hrtime.bigint();
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
    call: CallSurface,
  ) {
    const d = call.getDeadline();
    const ms = d instanceof Date ? d.getTime() : d;
    if (Number.isFinite(ms)) this.deadline = new Date(ms);
    // grpc-js enforces the deadline itself (it answers DEADLINE_EXCEEDED and then emits
    // "cancelled"), so one listener covers both the deadline and a client cancel.
    call.once("cancelled", () => {
      if (this.deadline && Date.now() >= this.deadline.getTime()) this.abort(Status.DEADLINE_EXCEEDED, "deadline exceeded");
      else this.abort(Status.CANCELLED, "cancelled by the client");
    });
    env.inFlight.add(this);
  }

  /** Fires when the call must stop. Created on first use: most calls never read it. */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.abortStatus) this.controller.abort(new AgentError(this.abortStatus.code, this.abortStatus.details));
    }
    return this.controller.signal;
  }

  /** Stops the call's work with a status. */
  abort(code: Status, details: string): void {
    // grpc-js emits "cancelled" after every call once its status is sent: ignore it then.
    if (this.finished || this.abortStatus) return;
    this.abortStatus = { code, details };
    this.controller?.abort(new AgentError(code, details));
    this.rejectRun?.(this.status(code, details));
  }

  /**
   * Runs the work, settling early when the call is aborted so a plugin that ignores its signal
   * cannot hold the call past its deadline. Rejects only with a status.
   */
  run<T>(work: () => Promise<T>): Promise<T> {
    if (this.abortStatus) return Promise.reject(this.statusFor(undefined));
    return new Promise<T>((resolve, reject) => {
      this.rejectRun = reject;
      Promise.resolve()
        .then(work)
        .then(resolve, (err: unknown) => reject(this.statusFor(err)));
    });
  }

  /**
   * A context object for an agent call: `fields` plus lazily created `signal` and `log`
   * (a child logger bound to agent and operation).
   */
  context<F extends object>(fields: F): F & CallContext {
    return Object.assign(new LazyCallContext(this, this.env.log), fields);
  }

  /** Maps anything thrown to the status sent to the client. */
  statusFor(err: unknown): StatusObject {
    if (this.abortStatus) return this.status(this.abortStatus.code, this.abortStatus.details);
    if (isAgentError(err) && err.code !== Status.INTERNAL && err.code !== Status.UNKNOWN && err.code !== Status.OK) {
      return this.status(err.code, chosenStatusText(err));
    }
    const who = this.agentName ? `agent "${this.agentName}"` : "agent";
    return this.status(
      Status.INTERNAL,
      `${who} failed to ${this.operation.replace("_", " ")}${this.category ? ` ${this.category}` : ""}: ${describeErrorChain(err)}`,
    );
  }

  private status(code: Status, details: string): StatusObject {
    return { code, details: boundStatusDetails(details), metadata: new Metadata() };
  }

  /** Records metrics and the request's log line; call exactly once (`result` absent: OK). */
  finish(result?: StatusObject): void {
    this.finished = true;
    this.rejectRun = undefined;
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
    else if (code === Status.INTERNAL) this.env.log.error({ ...line, error: result?.details }, "request failed");
    else this.env.log.warn({ ...line, error: result?.details }, "request failed");
  }
}

/** The signal, deadline and logger of an agent call, created when first read. */
class LazyCallContext implements CallContext {
  private childLog: AgentLogger | undefined;
  constructor(
    private readonly scope: RequestScope,
    private readonly baseLog: Logger,
  ) {}
  get signal(): AbortSignal {
    return this.scope.signal;
  }
  get deadline(): Date | undefined {
    return this.scope.deadline;
  }
  get log(): AgentLogger {
    this.childLog ??= this.baseLog.child({ agent: this.scope.agentName, operation: this.scope.operation });
    return this.childLog;
  }
}
