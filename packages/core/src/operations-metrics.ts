/**
 * Metrics for operators, beside the upstream `flyte_connector_*` request metrics, under this
 * project's own prefix `flyte_agent_`:
 *
 * - `flyte_agent_external_requests_total{service,code}`: every HTTP attempt a plugin makes to
 *   its external system, by HTTP status (`network_error` when no answer came);
 * - `flyte_agent_external_request_duration_seconds{service}`: how long each attempt took;
 * - `flyte_agent_external_throttled_total{service}`: attempts the external system refused for
 *   rate or quota, whatever the status it used (HTTP 429, AWS's 400 `ThrottlingException` or
 *   S3's 503 `SlowDown`, BigQuery's 403 `rateLimitExceeded`);
 * - `flyte_agent_external_retries_total{service,reason}`: attempts tried again (`429`, `5xx`,
 *   `network_error`);
 * - `flyte_agent_external_failures_total{service}`: requests given up after their retries;
 * - `flyte_agent_tasks_finished_total{task_type,phase,protocol}`: GetTask (or a sync run)
 *   answering a terminal phase: with `flyte_connector_requests_success_total{operation="create"}`,
 *   tasks created versus finished;
 * - `flyte_agent_log_lines_dropped_total`: log lines dropped because stdout did not take them
 *   while the logger's buffer was full (see `createLogger`);
 * - `flyte_agent_build_info{version,node,plugins}`: always 1.
 *
 * `service` is the external system's name a plugin gives core's HTTP helpers (`retryHttp`'s
 * `service`, e.g. "Databricks"): one per plugin. The metrics live in this module, so that
 * helpers without a server at hand can count; every {@link AgentMetrics} registry exposes them.
 * These names are not the deprecated `flyte_agent_requests_*` ones that `--legacy-metrics` adds.
 * @module
 */
import { Counter, Gauge, Histogram, type Metric, type Registry } from "prom-client";
import type { Protocol } from "./metrics";
import { isTerminalPhase } from "./phase";
import { Phase } from "./types";

/** Prefix of the metrics in this module. */
export const OPERATIONS_METRICS_PREFIX = "flyte_agent_";

/** At most this many distinct `service` values are recorded; later ones count as `other`. */
export const MAX_EXTERNAL_SERVICES = 64;

const externalRequests = new Counter({
  name: `${OPERATIONS_METRICS_PREFIX}external_requests_total`,
  help: "HTTP attempts plugins made to external systems, by HTTP status (network_error: no answer)",
  labelNames: ["service", "code"] as const,
  registers: [],
});

const externalDuration = new Histogram({
  name: `${OPERATIONS_METRICS_PREFIX}external_request_duration_seconds`,
  help: "Time each HTTP attempt to an external system took",
  labelNames: ["service"] as const,
  buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers: [],
});

const externalThrottled = new Counter({
  name: `${OPERATIONS_METRICS_PREFIX}external_throttled_total`,
  help: "HTTP attempts to external systems refused for rate or quota (429, or the system's own throttling answer)",
  labelNames: ["service"] as const,
  registers: [],
});

const externalRetries = new Counter({
  name: `${OPERATIONS_METRICS_PREFIX}external_retries_total`,
  help: "HTTP attempts to external systems that were tried again, by reason (429, 5xx, network_error)",
  labelNames: ["service", "reason"] as const,
  registers: [],
});

const externalFailures = new Counter({
  name: `${OPERATIONS_METRICS_PREFIX}external_failures_total`,
  help: "Requests to external systems given up after their retries (429, 5xx or network failures)",
  labelNames: ["service"] as const,
  registers: [],
});

const tasksFinished = new Counter({
  name: `${OPERATIONS_METRICS_PREFIX}tasks_finished_total`,
  help: "Tasks reported in a terminal phase (GetTask or a sync run), by phase",
  labelNames: ["task_type", "phase", "protocol"] as const,
  registers: [],
});

const logLinesDropped = new Counter({
  name: `${OPERATIONS_METRICS_PREFIX}log_lines_dropped_total`,
  help: "Log lines dropped because stdout did not take them while the log buffer was full",
  registers: [],
});

const buildInfo = new Gauge({
  name: `${OPERATIONS_METRICS_PREFIX}build_info`,
  help: "Always 1; the labels say which core version, Node.js and plugins this process runs",
  labelNames: ["version", "node", "plugins"] as const,
  registers: [],
});

const ALL: readonly { name: string; metric: Metric }[] = [
  externalRequests,
  externalDuration,
  externalThrottled,
  externalRetries,
  externalFailures,
  tasksFinished,
  logLinesDropped,
  buildInfo,
].map((metric) => ({ name: (metric as unknown as { name: string }).name, metric: metric as Metric }));

/** Adds this module's metrics to a registry (every {@link AgentMetrics} does it). */
export function registerOperationsMetrics(registry: Registry): void {
  for (const { name, metric } of ALL) {
    if (registry.getSingleMetric(name) === undefined) registry.registerMetric(metric);
  }
}

const seenServices = new Set<string>();

/** The service label: trimmed, at most 64 characters, and at most {@link MAX_EXTERNAL_SERVICES} distinct ones. */
function serviceLabel(service: string): string {
  const label = service.trim().slice(0, 64) || "unknown";
  if (seenServices.has(label)) return label;
  if (seenServices.size >= MAX_EXTERNAL_SERVICES) return "other";
  seenServices.add(label);
  return label;
}

/** One attempt of a call to an external system, for {@link observeExternalCall}. */
export interface ExternalCall {
  /** The HTTP status of the answer; absent when no answer came (network failure, timeout). */
  readonly status?: number;
  /** How long the attempt took, in seconds. */
  readonly seconds?: number;
  /**
   * The system refused the attempt for rate or quota. Defaults to `status === 429`; set it for
   * systems that answer throttling with another status (AWS: 400 `ThrottlingException`, S3: 503
   * `SlowDown`; BigQuery: 403 `rateLimitExceeded`).
   */
  readonly throttled?: boolean;
}

/**
 * Counts one attempt of a call to an external system. Core's `retryHttp` calls it for every
 * attempt; a plugin whose SDK makes its own HTTP requests (and retries) calls it once per
 * attempt it can see, with the status the SDK reports.
 *
 * @param service the external system's name, the same in every call of a plugin (e.g. "OpenAI")
 */
export function observeExternalCall(service: string, call: ExternalCall): void {
  const label = serviceLabel(service);
  const status = call.status;
  const code =
    status !== undefined && Number.isInteger(status) && status >= 100 && status <= 599 ? String(status) : "network_error";
  externalRequests.inc({ service: label, code });
  if (call.throttled ?? status === 429) externalThrottled.inc({ service: label });
  if (call.seconds !== undefined && Number.isFinite(call.seconds) && call.seconds >= 0) {
    externalDuration.observe({ service: label }, call.seconds);
  }
}

/** Why an attempt was tried again. */
export type ExternalRetryReason = "429" | "5xx" | "network_error";

/** Counts one attempt of a call to an external system that is tried again. */
export function observeExternalRetry(service: string, reason: ExternalRetryReason): void {
  externalRetries.inc({ service: serviceLabel(service), reason });
}

/** Counts one request to an external system given up after its retries. */
export function observeExternalFailure(service: string): void {
  externalFailures.inc({ service: serviceLabel(service) });
}

/** Counts one log line the logger's destination dropped (its buffer was full). */
export function observeLogLineDropped(): void {
  logLinesDropped.inc();
}

/** Phase names for the `phase` label. */
const PHASE_NAMES: Readonly<Partial<Record<number, string>>> = {
  [Phase.SUCCEEDED]: "SUCCEEDED",
  [Phase.FAILED]: "FAILED",
  [Phase.ABORTED]: "ABORTED",
  [Phase.RETRYABLE_FAILED]: "RETRYABLE_FAILED",
};

/** Counts a task reported in a terminal phase; other phases (and no phase at all) are ignored. */
export function observeTaskFinished(taskType: string, phase: Phase | undefined, protocol: Protocol = "v1"): void {
  if (phase === undefined || !isTerminalPhase(phase)) return;
  tasksFinished.inc({ task_type: taskType, phase: PHASE_NAMES[phase] ?? String(phase), protocol });
}

/**
 * Sets `flyte_agent_build_info`: core's version, the Node.js version and the plugin packages
 * served (`name@version`, sorted, comma-separated).
 */
export function setBuildInfo(info: { version: string; plugins: readonly string[]; node?: string }): void {
  buildInfo.reset();
  const plugins = [...new Set(info.plugins)].sort().join(",");
  buildInfo.set({ version: info.version, node: info.node ?? process.version, plugins }, 1);
}
