import type { Logger } from "pino";

/** Most (operation, category, agent) loggers kept; beyond this a line is logged without one. */
const MAX_BOUND_LOGGERS = 1000;

/**
 * Writes the request lines of one server: `{..., operation, category, agent, status, durationMs,
 * msg}` as before, through a pino child logger bound to each (operation, category, agent), so
 * pino serializes those three fields once per child instead of once per line. The children are
 * kept in a map bounded at {@link MAX_BOUND_LOGGERS} entries (categories come from clients);
 * past that a line is logged with all its fields, which gives the same line.
 */
export class RequestLog {
  /** operation -> category -> agent -> child (nested maps: a lookup allocates nothing). */
  private readonly bound = new Map<string, Map<string, Map<string, Logger>>>();
  private boundCount = 0;

  constructor(private readonly log: Logger) {}

  /** Whether lines at `level` are written at all (checked before building a line). */
  enabled(level: "info" | "warn" | "error"): boolean {
    return this.log.isLevelEnabled(level);
  }

  /**
   * Logs one request line at `level`: `operation`, `category` and `agent` (each left out when
   * empty), then `fields` (status, durationMs and, on failure, error), then `msg`.
   */
  write(level: "info" | "warn" | "error", operation: string, category: string, agent: string, fields: object, msg: string): void {
    let byCategory = this.bound.get(operation);
    if (!byCategory) {
      byCategory = new Map();
      this.bound.set(operation, byCategory);
    }
    let byAgent = byCategory.get(category);
    if (!byAgent) {
      byAgent = new Map();
      if (this.boundCount < MAX_BOUND_LOGGERS) byCategory.set(category, byAgent);
    }
    let child = byAgent.get(agent);
    if (!child) {
      const bindings: Record<string, string> = { operation };
      if (category) bindings.category = category;
      if (agent) bindings.agent = agent;
      if (this.boundCount >= MAX_BOUND_LOGGERS) {
        this.log[level]({ ...bindings, ...fields }, msg);
        return;
      }
      child = this.log.child(bindings);
      byAgent.set(agent, child);
      this.boundCount++;
    }
    child[level](fields, msg);
  }
}

const requestLogs = new WeakMap<Logger, RequestLog>();

/** The {@link RequestLog} writing through `log` (one per logger, created on first use). */
export function requestLogOf(log: Logger): RequestLog {
  let out = requestLogs.get(log);
  if (!out) {
    out = new RequestLog(log);
    requestLogs.set(log, out);
  }
  return out;
}
