import { createServer, type Server } from "node:http";
import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/**
 * The operations metrics and logs are labelled with: the task calls (`create`, `get`, `delete`,
 * `do`, `get_metrics`, `get_logs`) and the metadata calls (`list_agents`, `get_agent`).
 */
export type Operation = "create" | "get" | "delete" | "do" | "get_metrics" | "get_logs" | "list_agents" | "get_agent";

/**
 * Prometheus metrics of the agent service, with the names Flyte's Python agents use:
 * `flyte_agent_requests_success_total`, `flyte_agent_requests_failure_total` (with error_code),
 * `flyte_agent_request_latency_seconds` and `flyte_agent_input_literal_bytes`.
 */
export class AgentMetrics {
  /** The prom-client registry holding these metrics (plus Node's default metrics). */
  readonly registry = new Registry();
  private readonly success: Counter<"task_type" | "operation">;
  private readonly failure: Counter<"task_type" | "operation" | "error_code">;
  private readonly latency: Histogram<"task_type" | "operation">;
  private readonly inputBytes: Histogram<"task_type">;

  constructor(options: { prefix?: string; defaultMetrics?: boolean } = {}) {
    const p = options.prefix ?? "flyte_agent_";
    const registers = [this.registry];
    this.success = new Counter({
      name: `${p}requests_success_total`,
      help: "Agent requests that succeeded",
      labelNames: ["task_type", "operation"],
      registers,
    });
    this.failure = new Counter({
      name: `${p}requests_failure_total`,
      help: "Agent requests that failed, by gRPC status",
      labelNames: ["task_type", "operation", "error_code"],
      registers,
    });
    this.latency = new Histogram({
      name: `${p}request_latency_seconds`,
      help: "Time spent handling agent requests",
      labelNames: ["task_type", "operation"],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.inputBytes = new Histogram({
      name: `${p}input_literal_bytes`,
      help: "Size of the encoded request carrying the task inputs (CreateTask, ExecuteTaskSync)",
      labelNames: ["task_type"],
      buckets: [256, 1024, 16384, 262144, 1048576, 4194304, 16777216, 67108864],
      registers,
    });
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /** Label-bound children per (task type, operation): prom-client hashes labels on every call otherwise. */
  private readonly bound = new Map<string, { latency: { observe(v: number): void }; success: { inc(): void } }>();

  /** Records one finished request. `errorCode` is the gRPC status name, absent on success. */
  observe(taskType: string, operation: Operation, seconds: number, errorCode?: string): void {
    const key = `${taskType}\u0000${operation}`;
    let children = this.bound.get(key);
    if (!children) {
      const labels = { task_type: taskType, operation };
      children = { latency: this.latency.labels(labels), success: this.success.labels(labels) };
      // Unknown task types come from clients: bound the cache instead of growing without limit.
      if (this.bound.size < 1000) this.bound.set(key, children);
    }
    children.latency.observe(seconds);
    if (errorCode === undefined) children.success.inc();
    else this.failure.inc({ task_type: taskType, operation, error_code: errorCode });
  }

  /** Records the size of a request's inputs. */
  observeInputBytes(taskType: string, bytes: number): void {
    this.inputBytes.observe({ task_type: taskType }, bytes);
  }

  /** Serves `/metrics` on its own HTTP port. Resolves once listening. */
  async listen(port: number, host = "0.0.0.0"): Promise<Server> {
    const server = createServer((req, res) => {
      if (req.url === "/metrics" || req.url?.startsWith("/metrics?")) {
        this.registry.metrics().then(
          (body) => {
            res.writeHead(200, { "content-type": this.registry.contentType });
            res.end(body);
          },
          () => {
            res.writeHead(500);
            res.end();
          },
        );
        return;
      }
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("not found; metrics are at /metrics\n");
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    return server;
  }
}
