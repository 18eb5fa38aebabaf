import type { Server } from "node:http";
import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { type MetricsListenerLimits, serveMetrics } from "./metrics-http";
import { registerOperationsMetrics } from "./operations-metrics";

export { METRICS_LISTENER_LIMITS, type MetricsListenerLimits } from "./metrics-http";

/**
 * The operations metrics and logs are labelled with: the task calls (`create`, `get`, `delete`,
 * `do`, `get_metrics`, `get_logs`) and the metadata calls (`list_agents`, `get_agent`; on
 * flyteidl2 `list_connectors`, `get_connector`).
 */
export type Operation =
  | "create"
  | "get"
  | "delete"
  | "do"
  | "get_metrics"
  | "get_logs"
  | "list_agents"
  | "get_agent"
  | "list_connectors"
  | "get_connector";

/** The wire protocol a call came in on: flyteidl 1 agent services or flyteidl2 connector services. */
export type Protocol = "v1" | "v2";

/** Options of {@link AgentMetrics}. */
export interface AgentMetricsOptions {
  /** Prefix of the metric names. @default "flyte_connector_" (the names flytekit 1.15+ and flyte-sdk use) */
  prefix?: string;
  /**
   * Also record the pre-connector names `flyte_agent_requests_success_total`,
   * `flyte_agent_requests_failure_total`, `flyte_agent_request_latency_seconds` and
   * `flyte_agent_input_literal_bytes`, with their old labels (no `protocol`), so existing
   * dashboards keep working. Deprecated: will be removed in a later release.
   * @default env.FLYTE_AGENT_LEGACY_METRICS is "1" or "true"
   */
  legacy?: boolean;
  /** Collect Node's default process metrics too. @default true */
  defaultMetrics?: boolean;
}

/** Prefix of the deprecated metric names kept behind {@link AgentMetricsOptions.legacy}. */
export const LEGACY_METRICS_PREFIX = "flyte_agent_";

/** Whether an environment asks for the deprecated metric names (`FLYTE_AGENT_LEGACY_METRICS`). */
export function legacyMetricsFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env.FLYTE_AGENT_LEGACY_METRICS?.trim().toLowerCase();
  return value === "1" || value === "true";
}

/** One set of the four request metrics under one prefix. */
class MetricSet {
  readonly success: Counter;
  readonly failure: Counter;
  readonly latency: Histogram;
  readonly inputBytes: Histogram;

  constructor(p: string, registry: Registry, withProtocol: boolean) {
    const registers = [registry];
    const proto = withProtocol ? (["protocol"] as const) : [];
    this.success = new Counter({
      name: `${p}requests_success_total`,
      help: "Connector requests that succeeded",
      labelNames: ["task_type", "operation", ...proto],
      registers,
    });
    this.failure = new Counter({
      name: `${p}requests_failure_total`,
      help: "Connector requests that failed, by gRPC status",
      labelNames: ["task_type", "operation", "error_code", ...proto],
      registers,
    });
    this.latency = new Histogram({
      name: `${p}request_latency_seconds`,
      help: "Time spent handling connector requests",
      labelNames: ["task_type", "operation", ...proto],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.inputBytes = new Histogram({
      name: `${p}input_literal_bytes`,
      help: "Size of the encoded request carrying the task inputs (CreateTask, ExecuteTaskSync)",
      labelNames: ["task_type", ...proto],
      buckets: [256, 1024, 16384, 262144, 1048576, 4194304, 16777216, 67108864],
      registers,
    });
  }
}

type BoundChildren = { latency: ReturnType<Histogram["labels"]>; success: ReturnType<Counter["labels"]> };

/**
 * Prometheus metrics of the connector service, with the names Flyte's Python connectors use:
 * `flyte_connector_requests_success_total{task_type,operation}`,
 * `flyte_connector_requests_failure_total{task_type,operation,error_code}`,
 * `flyte_connector_request_latency_seconds` and `flyte_connector_input_literal_bytes`, each
 * with a `protocol` label (`v1` or `v2`). The deprecated `flyte_agent_*` names are recorded
 * too when {@link AgentMetricsOptions.legacy} is set.
 */
export class AgentMetrics {
  /** The prom-client registry holding these metrics (plus Node's default metrics). */
  readonly registry = new Registry();
  private readonly current: MetricSet;
  private readonly legacy: MetricSet | undefined;
  /**
   * The series of each (protocol, operation, task type), so an observation builds no label
   * object and no key string (nested maps: looking one up allocates nothing).
   */
  private readonly bound = new Map<Protocol, Map<Operation, Map<string, BoundChildren[]>>>();
  /** How many (protocol, operation, task type) entries {@link bound} holds. */
  private boundCount = 0;

  constructor(options: AgentMetricsOptions = {}) {
    this.current = new MetricSet(options.prefix ?? "flyte_connector_", this.registry, true);
    if (options.legacy ?? legacyMetricsFromEnv()) this.legacy = new MetricSet(LEGACY_METRICS_PREFIX, this.registry, false);
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    registerOperationsMetrics(this.registry);
  }

  /** Whether the deprecated `flyte_agent_*` names are recorded too. */
  get legacyNames(): boolean {
    return this.legacy !== undefined;
  }

  /** Records one finished request. `errorCode` is the gRPC status name, absent on success. */
  observe(taskType: string, operation: Operation, seconds: number, errorCode?: string, protocol: Protocol = "v1"): void {
    let byOperation = this.bound.get(protocol);
    if (!byOperation) {
      byOperation = new Map();
      this.bound.set(protocol, byOperation);
    }
    let byTaskType = byOperation.get(operation);
    if (!byTaskType) {
      byTaskType = new Map();
      byOperation.set(operation, byTaskType);
    }
    let children = byTaskType.get(taskType);
    if (!children) {
      const labels = { task_type: taskType, operation, protocol };
      children = [{ latency: this.current.latency.labels(labels), success: this.current.success.labels(labels) }];
      if (this.legacy) {
        const old = { task_type: taskType, operation };
        children.push({ latency: this.legacy.latency.labels(old), success: this.legacy.success.labels(old) });
      }
      // Unknown task types come from clients: bound the cache instead of growing without limit.
      if (this.boundCount < 1000) {
        byTaskType.set(taskType, children);
        this.boundCount++;
      }
    }
    // Indexed loops: runs on every call, and a for-of may allocate an iterator.
    for (let i = 0; i < children.length; i++) children[i]!.latency.observe(seconds);
    if (errorCode === undefined) {
      for (let i = 0; i < children.length; i++) children[i]!.success.inc();
    } else {
      this.current.failure.labels({ task_type: taskType, operation, error_code: errorCode, protocol }).inc();
      this.legacy?.failure.labels({ task_type: taskType, operation, error_code: errorCode }).inc();
    }
  }

  /** Records the size of a request's inputs. */
  observeInputBytes(taskType: string, bytes: number, protocol: Protocol = "v1"): void {
    this.current.inputBytes.labels({ task_type: taskType, protocol }).observe(bytes);
    this.legacy?.inputBytes.labels({ task_type: taskType }).observe(bytes);
  }

  /**
   * Serves `/metrics` on its own HTTP port, within {@link METRICS_LISTENER_LIMITS} (or `limits`).
   * Resolves once listening.
   */
  listen(port: number, host = "0.0.0.0", limits: Partial<MetricsListenerLimits> = {}): Promise<Server> {
    return serveMetrics(this.registry, port, host, limits);
  }
}
