import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { type StrictJson, int64Text, parseStrictJson } from "./strict-json";

/** One step of a run's scripted life: what `runs/get` answers. */
export interface FakeRunState {
  life_cycle_state: string;
  result_state?: string;
  state_message?: string;
}

/** Options of {@link startFakeDatabricks}. */
export interface FakeDatabricksOptions {
  /** The only access token accepted (anything else gets 401). @default "dapi-fake-token" */
  token?: string;
  /** Delay added before every answer, in ms (to look like a remote service). @default 0 */
  latencyMs?: number;
  /**
   * The states each new run goes through: every `runs/get` answers the current step and moves
   * to the next; the last step repeats.
   * @default PENDING, RUNNING, TERMINATED/SUCCESS
   */
  states?: readonly FakeRunState[];
  /** Interface to listen on. @default "127.0.0.1" */
  host?: string;
  /** Port to listen on. @default 0 (a free port) */
  port?: number;
  /** First run id handed out; above 2^53 by default so int64 handling is exercised. @default 9007199254741000n */
  firstRunId?: bigint;
}

/** A fault answered instead of the real reply (see {@link FakeDatabricks.failNext}). */
export interface FakeFault {
  /** HTTP status to answer (429, 500, 401, 403...). Ignored with `drop`. */
  status?: number;
  /** `Retry-After` header value (with 429). */
  retryAfter?: string;
  /** JSON body. @default a Databricks-style `{error_code, message}` */
  body?: { [key: string]: unknown };
  /** Close the connection without answering (a network error). @default false */
  drop?: boolean;
  /** How many requests get this fault. @default 1 */
  times?: number;
}

/** Which requests a fault applies to. */
export type FakeRoute = "submit" | "get" | "cancel" | "any";

/** A run the fake knows. */
export interface FakeRun {
  readonly runId: string;
  readonly jobId: string;
  /** The `runs/submit` body as received (integers too large for a number are bigints). */
  readonly submitted: { [key: string]: StrictJson };
  /** The states still to come (the first is answered next). */
  states: FakeRunState[];
  /** Times `runs/cancel` was called for it. */
  cancelCalls: number;
}

/** Counters of what the fake received. */
export interface FakeDatabricksStats {
  /** TCP connections accepted (keep-alive reuse keeps this low). */
  connections: number;
  /** HTTP requests received, faults included. */
  requests: number;
  /** `runs/submit` calls answered with a run id (repeats with a known token included). */
  submits: number;
  /** `runs/get` calls answered. */
  gets: number;
  /** `runs/cancel` calls answered. */
  cancels: number;
  /** Requests refused for a missing or wrong token. */
  unauthorized: number;
}

/** A running fake Databricks workspace (Jobs API 2.1 subset). */
export interface FakeDatabricks {
  /** Base URL, e.g. `http://127.0.0.1:43123` (use it as `databricksInstance`). */
  readonly url: string;
  readonly port: number;
  /** The accepted token. */
  readonly token: string;
  readonly stats: FakeDatabricksStats;
  /** Runs by id. */
  readonly runs: ReadonlyMap<string, FakeRun>;
  /** Answers the next matching request(s) with a fault instead. */
  failNext(route: FakeRoute, fault: FakeFault): void;
  /** Replaces the states still to come of a run. */
  setStates(runId: string, states: readonly FakeRunState[]): void;
  /** Stops listening and closes every connection. */
  close(): Promise<void>;
}

const DEFAULT_STATES: readonly FakeRunState[] = [
  { life_cycle_state: "PENDING", state_message: "Waiting for cluster" },
  { life_cycle_state: "RUNNING", state_message: "In run" },
  { life_cycle_state: "TERMINATED", result_state: "SUCCESS", state_message: "" },
];

const ROUTES: Readonly<Record<string, { method: string; route: Exclude<FakeRoute, "any"> }>> = {
  "/api/2.1/jobs/runs/submit": { method: "POST", route: "submit" },
  "/api/2.1/jobs/runs/get": { method: "GET", route: "get" },
  "/api/2.1/jobs/runs/cancel": { method: "POST", route: "cancel" },
};

/** JSON with every `"..._id": "<digits>"` written as a bare integer, as Databricks sends int64 ids. */
function jsonWithIntegerIds(value: unknown): string {
  return JSON.stringify(value).replace(/("[A-Za-z0-9_]*_id":)"(\d+)"/g, "$1$2");
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function hasCompute(body: { [key: string]: StrictJson }): boolean {
  if (body.existing_cluster_id || body.new_cluster) return true;
  const tasks = Array.isArray(body.tasks) ? (body.tasks as Array<{ [key: string]: StrictJson }>) : [];
  const envs = Array.isArray(body.environments) ? (body.environments as Array<{ [key: string]: StrictJson }>) : [];
  return (
    tasks.length > 0 &&
    tasks.every((t) => t.existing_cluster_id || t.new_cluster || envs.some((e) => e.environment_key === t.environment_key))
  );
}

/** How a JSON value is named in an error message. */
function describeJson(value: StrictJson | undefined): string {
  if (value === undefined) return "nothing";
  if (typeof value === "string") return `the string ${JSON.stringify(value)}`;
  if (typeof value === "bigint" || typeof value === "number") return `the number ${value}`;
  return Array.isArray(value) ? "an array" : value === null ? "null" : `a ${typeof value}`;
}

/** The field types `runs/submit` checks (Jobs API 2.1), as Databricks words a refusal; undefined when fine. */
function submitTypeError(body: { [key: string]: StrictJson }): string | undefined {
  const expect: Record<string, (v: StrictJson) => boolean> = {
    run_name: (v) => typeof v === "string",
    existing_cluster_id: (v) => typeof v === "string",
    timeout_seconds: (v) => (typeof v === "number" && Number.isInteger(v) && v >= 0) || typeof v === "bigint",
    new_cluster: (v) => typeof v === "object" && v !== null && !Array.isArray(v),
    tasks: Array.isArray,
    environments: Array.isArray,
    spark_python_task: (v) => typeof v === "object" && v !== null && !Array.isArray(v),
    notebook_task: (v) => typeof v === "object" && v !== null && !Array.isArray(v),
  };
  for (const [field, ok] of Object.entries(expect)) {
    const value = body[field];
    if (value !== undefined && !ok(value)) return `Invalid value for ${field}: got ${describeJson(value)}`;
  }
  return undefined;
}

/**
 * Starts a fake Databricks Jobs API 2.1 on 127.0.0.1: `runs/submit` (honouring
 * `idempotency_token`), `runs/get` (following a scripted state sequence), `runs/cancel`, Bearer
 * token checks (401), and injectable faults (429 with Retry-After, 5xx, dropped connections).
 * Built for tests and benchmarks: thousands of concurrent runs, optional added latency.
 */
export async function startFakeDatabricks(options: FakeDatabricksOptions = {}): Promise<FakeDatabricks> {
  const token = options.token ?? "dapi-fake-token";
  const latencyMs = options.latencyMs ?? 0;
  const script = [...(options.states ?? DEFAULT_STATES)];
  if (script.length === 0) throw new RangeError("states must have at least one step");
  const stats: FakeDatabricksStats = { connections: 0, requests: 0, submits: 0, gets: 0, cancels: 0, unauthorized: 0 };
  const runs = new Map<string, FakeRun>();
  const byToken = new Map<string, string>();
  const faults: Array<{ route: FakeRoute; fault: FakeFault; left: number }> = [];
  let nextRunId = options.firstRunId ?? 9007199254741000n;

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    const text = jsonWithIntegerIds(body);
    res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text), ...headers });
    res.end(text);
  };
  const error = (res: ServerResponse, status: number, code: string, message: string) =>
    send(res, status, { error_code: code, message });

  const takeFault = (route: FakeRoute): FakeFault | undefined => {
    const i = faults.findIndex((f) => f.route === "any" || f.route === route);
    if (i < 0) return undefined;
    const entry = faults[i]!;
    entry.left -= 1;
    if (entry.left <= 0) faults.splice(i, 1);
    return entry.fault;
  };

  const submit = (res: ServerResponse, body: { [key: string]: StrictJson }) => {
    const idem = body.idempotency_token;
    if (idem !== undefined && (typeof idem !== "string" || idem.length > 64)) {
      return error(res, 400, "INVALID_PARAMETER_VALUE", "idempotency_token must be a string of at most 64 characters");
    }
    const wrongType = submitTypeError(body);
    if (wrongType) return error(res, 400, "INVALID_PARAMETER_VALUE", wrongType);
    if (!hasCompute(body)) {
      return error(res, 400, "INVALID_PARAMETER_VALUE", "One of existing_cluster_id, new_cluster or environment_key must be set");
    }
    stats.submits += 1;
    const known = typeof idem === "string" ? byToken.get(idem) : undefined;
    if (known) return send(res, 200, { run_id: known });
    const runId = String(nextRunId);
    nextRunId += 1n;
    runs.set(runId, {
      runId,
      jobId: String(700000000000000n + BigInt(runs.size)),
      submitted: body,
      states: [...script],
      cancelCalls: 0,
    });
    if (typeof idem === "string") byToken.set(idem, runId);
    send(res, 200, { run_id: runId });
  };

  const get = (res: ServerResponse, url: URL, baseUrl: string) => {
    const runId = url.searchParams.get("run_id") ?? "";
    if (!/^\d{1,19}$/.test(runId) || BigInt(runId) > 2n ** 63n - 1n) {
      return error(res, 400, "INVALID_PARAMETER_VALUE", `Invalid value for run_id: expected an int64, got '${runId}'`);
    }
    const run = runs.get(runId);
    if (!run) return error(res, 400, "INVALID_PARAMETER_VALUE", `Run ${runId || "(none)"} does not exist.`);
    stats.gets += 1;
    const state = run.states.length > 1 ? run.states.shift()! : run.states[0]!;
    send(res, 200, {
      job_id: run.jobId,
      run_id: run.runId,
      run_name: run.submitted.run_name,
      state,
      run_page_url: `${baseUrl}/?o=1234567890#job/${run.jobId}/run/${run.runId}`,
    });
  };

  const cancel = (res: ServerResponse, body: { [key: string]: StrictJson }) => {
    // Databricks takes run_id as a JSON integer (int64); a string or a rounded float is refused.
    const runId = int64Text(body.run_id);
    if (runId === undefined) {
      return error(
        res,
        400,
        "INVALID_PARAMETER_VALUE",
        `Invalid value for run_id: expected an int64, got ${describeJson(body.run_id)}`,
      );
    }
    const run = runs.get(runId);
    if (!run) return error(res, 400, "INVALID_PARAMETER_VALUE", `Run ${runId || "(none)"} does not exist.`);
    stats.cancels += 1;
    run.cancelCalls += 1;
    if (run.states[0]?.life_cycle_state !== "TERMINATED") {
      run.states = [{ life_cycle_state: "TERMINATED", result_state: "CANCELED", state_message: "Run cancelled." }];
    }
    send(res, 200, {});
  };

  let baseUrl = "";
  const server: Server = createServer((req, res) => {
    stats.requests += 1;
    const handle = async () => {
      const raw = await readBody(req);
      if (latencyMs > 0) await new Promise((r) => setTimeout(r, latencyMs).unref());
      const url = new URL(req.url ?? "/", baseUrl);
      const route = ROUTES[url.pathname];
      if (!route || route.method !== req.method)
        return error(res, 404, "ENDPOINT_NOT_FOUND", `No API found for '${req.method} ${url.pathname}'`);
      const fault = takeFault(route.route);
      if (fault?.drop) {
        req.socket.destroy();
        return;
      }
      if (fault) {
        const status = fault.status ?? 500;
        const body = fault.body ?? {
          error_code: status === 429 ? "REQUEST_LIMIT_EXCEEDED" : "INTERNAL_ERROR",
          message: `injected HTTP ${status}`,
        };
        return send(res, status, body, fault.retryAfter !== undefined ? { "Retry-After": fault.retryAfter } : {});
      }
      if (req.headers.authorization !== `Bearer ${token}`) {
        stats.unauthorized += 1;
        return error(res, 401, "UNAUTHENTICATED", "Invalid access token.");
      }
      let body: { [key: string]: StrictJson } = {};
      if (req.method === "POST") {
        if (!/^application\/json\b/i.test(req.headers["content-type"] ?? "")) {
          return error(res, 400, "MALFORMED_REQUEST", "Content-Type must be application/json");
        }
        let parsed: StrictJson;
        try {
          parsed = parseStrictJson(raw);
        } catch (err) {
          return error(res, 400, "MALFORMED_REQUEST", `Invalid JSON given in the body of the request: ${(err as Error).message}`);
        }
        if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
          return error(res, 400, "MALFORMED_REQUEST", "The body of the request must be a JSON object");
        }
        body = parsed;
      }
      if (route.route === "submit") return submit(res, body);
      if (route.route === "get") return get(res, url, baseUrl);
      return cancel(res, body);
    };
    handle().catch((err: unknown) => {
      if (!res.headersSent) error(res, 500, "INTERNAL_ERROR", err instanceof Error ? err.message : "fake failed");
    });
  });
  server.keepAliveTimeout = 60_000;
  server.maxRequestsPerSocket = 0;
  server.on("connection", () => {
    stats.connections += 1;
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const { port, address } = server.address() as AddressInfo;
  baseUrl = `http://${address.includes(":") ? `[${address}]` : address}:${port}`;

  return {
    url: baseUrl,
    port,
    token,
    stats,
    runs,
    failNext(route, fault) {
      faults.push({ route, fault, left: fault.times ?? 1 });
    },
    setStates(runId, states) {
      const run = runs.get(runId);
      if (!run) throw new Error(`no run ${runId}`);
      if (states.length === 0) throw new RangeError("states must have at least one step");
      run.states = [...states];
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
