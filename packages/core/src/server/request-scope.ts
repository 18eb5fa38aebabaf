import { status as Status, type StatusObject, Metadata, type Deadline } from "@grpc/grpc-js";
import type { Logger } from "pino";
import { boundStatusDetails } from "../bounded-text";
import { describeErrorChain } from "../error-chain";
import { AgentError, isAgentError } from "../errors";
import type { Connection } from "../connection";
import type { AgentMetrics, Operation, Protocol } from "../metrics";
import { redactSecrets, redactValues } from "../secrets";
import type { AgentLogger, CallContext } from "../types";
import { requestLogOf } from "./request-log";

/**
 * What a scope needs from the call it serves, whatever the protocol: the client's deadline
 * and an event when the client goes away (grpc-js server calls have both).
 */
export interface CallSurface {
  getDeadline(): Deadline;
  once(event: "cancelled", listener: () => void): unknown;
}

/** How {@link RequestScope.serve} answers: with the work's result, or with a failure status. */
export interface ScopeReply<T = unknown> {
  /** Sends the work's result. */
  ok(result: T): void;
  /** Sends a failure status. */
  fail(status: StatusObject): void;
}

/** Shared by every handler: where metrics and logs go, and what is in flight. */
export interface ServerEnv {
  readonly metrics: AgentMetrics;
  readonly log: Logger;
  readonly inFlight: InFlight;
  /** The protocol of the services this env serves, for the `protocol` metric label. @default "v1" */
  readonly protocol?: Protocol;
}

/** The calls being served, so shutdown can wait for them or abort them. */
export class InFlight {
  // A doubly linked list through the scopes themselves: adding and removing a call allocates
  // nothing (a Set reallocates its table as calls come and go).
  private head: RequestScope | undefined;
  private count = 0;
  private idleWaiters: Array<() => void> = [];

  add(scope: RequestScope): void {
    if (scope.inFlightListed) return;
    scope.inFlightListed = true;
    scope.inFlightPrev = undefined;
    scope.inFlightNext = this.head;
    if (this.head) this.head.inFlightPrev = scope;
    this.head = scope;
    this.count++;
  }

  delete(scope: RequestScope): void {
    if (!scope.inFlightListed) return;
    scope.inFlightListed = false;
    const { inFlightPrev: prev, inFlightNext: next } = scope;
    if (prev) prev.inFlightNext = next;
    else this.head = next;
    if (next) next.inFlightPrev = prev;
    scope.inFlightPrev = undefined;
    scope.inFlightNext = undefined;
    this.count--;
    if (this.count === 0 && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  get size(): number {
    return this.count;
  }

  /** Resolves when nothing is in flight. */
  idle(): Promise<void> {
    if (this.count === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Aborts every in-flight call's work (drain timeout passed). */
  abortAll(reason: string): void {
    let scope = this.head;
    while (scope) {
      const next = scope.inFlightNext; // abort() removes the scope from the list
      scope.abort(Status.UNAVAILABLE, reason);
      scope = next;
    }
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
  private reply: ScopeReply | undefined;
  /** `performance.now()` when the call arrived (a double: no BigInt per call). */
  private readonly started = performance.now();
  private finished = false;
  /** Task type label (category name) once known. */
  taskType = "unknown";
  /** Category label for logs (`name@version`) once known. */
  category = "";
  /** Agent name once routed. */
  agentName = "";
  /** Deadline sent by the client, if any. */
  readonly deadline: Date | undefined;
  /** The connection the request carried (flyteidl2); its secrets are redacted from everything this call sends or logs. */
  private callConnection: Connection | undefined;
  private connectionSecrets: string[] = [];
  /** @internal Links of {@link InFlight}'s list. */
  inFlightListed = false;
  /** @internal */
  inFlightPrev: RequestScope | undefined;
  /** @internal */
  inFlightNext: RequestScope | undefined;

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

  /** The connection the request carried (flyteidl2 CreateTask, GetTask, DeleteTask), if any. */
  get connection(): Connection | undefined {
    return this.callConnection;
  }

  /**
   * Sets the connection of this call: agents see it as `ctx.connection`, and its secret values
   * are redacted from this call's status message, log line and agent log lines (other calls
   * never see them).
   */
  set connection(connection: Connection | undefined) {
    this.callConnection = connection;
    this.connectionSecrets = connection ? Object.values(connection.secrets).filter((v) => v.length >= 4) : [];
  }

  /** The secret values of this call's connection (empty without one). */
  get secretValues(): readonly string[] {
    return this.connectionSecrets;
  }

  /** `text` with known pod secrets and this call's connection secrets replaced by `[REDACTED]`. */
  redact(text: string): string {
    return redactValues(redactSecrets(text), this.connectionSecrets);
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
    if (this.reply) this.answerFailure(this.status(code, details));
  }

  /**
   * Runs the work and answers exactly once through `reply`: with its result, or with the status
   * of whatever it threw. Answers early when the call is aborted, so a plugin that ignores its
   * signal cannot hold the call past its deadline. Metrics and the log line are recorded just
   * before the answer leaves (see {@link RequestScope.finish}).
   */
  serve<T>(work: (scope: RequestScope) => Promise<T>, reply: ScopeReply<T>): void {
    if (this.abortStatus) {
      this.reply = reply as ScopeReply;
      this.answerFailure(this.statusFor(undefined));
      return;
    }
    this.reply = reply as ScopeReply;
    let pending: Promise<T>;
    try {
      pending = work(this);
    } catch (err) {
      this.answerFailure(this.statusFor(err));
      return;
    }
    pending.then(
      (result) => {
        if (this.finished) return; // aborted while the work ran: already answered
        this.finish();
        reply.ok(result);
      },
      (err: unknown) => {
        if (!this.finished) this.answerFailure(this.statusFor(err));
      },
    );
  }

  private answerFailure(status: StatusObject): void {
    const reply = this.reply;
    this.finish(status);
    reply?.fail(status);
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
    const status = this.unredactedStatusFor(err);
    if (this.connectionSecrets.length > 0) status.details = redactValues(status.details, this.connectionSecrets);
    return status;
  }

  private unredactedStatusFor(err: unknown): StatusObject {
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
    this.reply = undefined;
    this.env.inFlight.delete(this);
    const seconds = (performance.now() - this.started) / 1000;
    const code = result?.code ?? Status.OK;
    const codeName = Status[code] ?? String(code);
    this.env.metrics.observe(
      this.taskType,
      this.operation,
      seconds,
      code === Status.OK ? undefined : codeName,
      this.env.protocol,
    );
    const level = code === Status.OK ? "info" : code === Status.INTERNAL ? "error" : "warn";
    const requestLog = requestLogOf(this.env.log);
    if (!requestLog.enabled(level)) return;
    const durationMs = Math.round(seconds * 1e6) / 1e3;
    const { operation, category, agentName } = this;
    if (code === Status.OK) requestLog.write(level, operation, category, agentName, { status: codeName, durationMs }, "request");
    else {
      requestLog.write(
        level,
        operation,
        category,
        agentName,
        { status: codeName, durationMs, error: result?.details },
        "request failed",
      );
    }
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
    if (!this.childLog) this.childLog = new DeferredChildLogger(this.scope, this.baseLog);
    return this.childLog;
  }
  get connection(): Connection | undefined {
    return this.scope.connection;
  }
}

type LogLevel = keyof AgentLogger;

/**
 * An agent call's logger: pino's child logger (bound to agent and operation, scrubbing the
 * call's connection secrets) is created when a line at an enabled level is first logged. Plugins
 * log debug lines on every outbound request; at the default level those cost nothing.
 */
class DeferredChildLogger implements AgentLogger {
  private child: AgentLogger | undefined;
  constructor(
    private readonly scope: RequestScope,
    private readonly baseLog: Logger,
  ) {}
  debug(obj: object, msg?: string): void {
    this.log("debug", obj, msg);
  }
  info(obj: object, msg?: string): void {
    this.log("info", obj, msg);
  }
  warn(obj: object, msg?: string): void {
    this.log("warn", obj, msg);
  }
  error(obj: object, msg?: string): void {
    this.log("error", obj, msg);
  }
  private log(level: LogLevel, obj: object, msg: string | undefined): void {
    if (!this.baseLog.isLevelEnabled(level)) return;
    if (!this.child) {
      const child = this.baseLog.child({ agent: this.scope.agentName, operation: this.scope.operation });
      const secrets = this.scope.secretValues;
      this.child = secrets.length > 0 ? redactingLogger(child, secrets) : child;
    }
    if (msg === undefined) this.child[level](obj);
    else this.child[level](obj, msg);
  }
}

/** Replaces `secrets` in every string of a log object, however deep (plain objects, arrays, errors). */
function redactDeep(value: unknown, secrets: readonly string[], depth = 0): unknown {
  if (typeof value === "string") return redactValues(value, secrets);
  if (depth > 8 || typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, secrets, depth + 1));
  if (value instanceof Error) {
    return {
      type: value.name,
      message: redactValues(value.message, secrets),
      stack: value.stack && redactValues(value.stack, secrets),
    };
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = redactDeep(v, secrets, depth + 1);
  return out;
}

/** A logger that scrubs a call's connection secrets from every object and message it writes. */
function redactingLogger(log: AgentLogger, secrets: readonly string[]): AgentLogger {
  const wrap =
    (level: keyof AgentLogger) =>
    (obj: object, msg?: string): void => {
      const clean = redactDeep(obj, secrets) as object;
      if (msg === undefined) log[level](clean);
      else log[level](clean, redactValues(msg, secrets));
    };
  return { debug: wrap("debug"), info: wrap("info"), warn: wrap("warn"), error: wrap("error") };
}
