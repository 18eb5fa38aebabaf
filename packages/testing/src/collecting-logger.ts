import type { AgentLogger } from "@flyte-agent/core";

/** A log level of {@link AgentLogger}. */
export type LogLevel = "debug" | "info" | "warn" | "error";

/** One call of an {@link AgentLogger} method, as {@link CollectingLogger} keeps it. */
export interface LogEntry {
  /** The method called. */
  readonly level: LogLevel;
  /** The message (second argument), when one was given. */
  readonly message: string | undefined;
  /** The structured fields (first argument), as passed. */
  readonly fields: object;
  /** The agent operation whose context logged it (`create`, `get`, `delete`, ...). */
  readonly operation: string;
}

/**
 * An {@link AgentLogger} that keeps every call in memory instead of writing it, so a test can
 * assert on what an agent logged (and that no secret was logged). Nothing is redacted: a leak
 * shows up here. Loggers made by {@link CollectingLogger.forOperation} share one entry list.
 */
export class CollectingLogger implements AgentLogger {
  /** Every call so far, oldest first. */
  readonly entries: LogEntry[];

  /**
   * @param operation - The operation written into each entry. @default "test"
   * @param entries - The list to append to (shared with other operations). @default a new list
   */
  constructor(
    private readonly operation = "test",
    entries: LogEntry[] = [],
  ) {
    this.entries = entries;
  }

  /** A logger that appends to the same entries, labelled with another operation. */
  forOperation(operation: string): CollectingLogger {
    return new CollectingLogger(operation, this.entries);
  }

  debug(obj: object, msg?: string): void {
    this.add("debug", obj, msg);
  }
  info(obj: object, msg?: string): void {
    this.add("info", obj, msg);
  }
  warn(obj: object, msg?: string): void {
    this.add("warn", obj, msg);
  }
  error(obj: object, msg?: string): void {
    this.add("error", obj, msg);
  }

  /** The messages logged at `level` (every level when omitted), oldest first. */
  messages(level?: LogLevel): string[] {
    return this.entries.filter((e) => level === undefined || e.level === level).map((e) => e.message ?? "");
  }

  /**
   * Every entry as one JSON line (level, operation, msg and the fields), the shape a log
   * collector would see: search it for text that must not be logged.
   */
  lines(): string[] {
    return this.entries.map((e) =>
      toJson({ level: e.level, operation: e.operation, ...(e.message === undefined ? {} : { msg: e.message }), ...e.fields }),
    );
  }

  private add(level: LogLevel, fields: object, message: string | undefined): void {
    this.entries.push({ level, message, fields, operation: this.operation });
  }
}

/** JSON that also takes bigints, bytes (as UTF-8 text) and errors, and never throws on cycles. */
export function toJson(value: unknown): string {
  const seen = new WeakSet<object>();
  return JSON.stringify(value, function (this: Record<string, unknown>, key: string, converted: unknown) {
    const raw = this[key]; // before toJSON: a Buffer arrives here as itself, not as { type, data }
    if (typeof raw === "bigint") return raw.toString();
    if (raw instanceof Uint8Array) return Buffer.from(raw).toString("utf8");
    if (raw instanceof Error || Object.prototype.toString.call(raw) === "[object Error]") {
      const err = raw as Error;
      return { name: err.name, message: err.message };
    }
    if (typeof converted === "object" && converted !== null) {
      if (seen.has(converted)) return "[circular]";
      seen.add(converted);
    }
    return converted;
  });
}
