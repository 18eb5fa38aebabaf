import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** What a job does when polled: its states on successive jobs.get calls (the last one repeats). */
export interface JobScript {
  states: Array<"PENDING" | "RUNNING" | "DONE">;
  /** Set when the job fails: BigQuery's error result. */
  error?: { reason: string; message: string };
  /** Statistics reported once DONE. */
  totalBytesProcessed?: string;
}

type JsonObject = { [key: string]: unknown };

/** A request the fake received. */
export interface FakeBigQueryRequest {
  /** HTTP method, upper case. */
  method: string;
  /** Path without the query string (with the `/bigquery/v2` prefix when the client sent one). */
  path: string;
  /** Query parameters (the last value wins when a name repeats). */
  query: Record<string, string>;
  /** Request headers (names in lower case). */
  headers: IncomingHttpHeaders;
  /** The JSON body, parsed and type-checked by the fake (undefined without a body). */
  body: unknown;
}

/** What the fake answers one request with. */
interface FakeResponse {
  status?: number;
  json: unknown;
  delayMs?: number;
}

interface StoredJob {
  project: string;
  jobId: string;
  location: string;
  configuration: JsonObject;
  script: JobScript;
  polls: number;
  cancelled: boolean;
}

/**
 * What the fake accepts as authentication: BigQuery's own API wants `Authorization: Bearer
 * <token>` on every request; the BigQuery emulator (`BIGQUERY_EMULATOR_HOST`) wants none.
 */
export type FakeBigQueryAuth = { accessToken: string } | { emulator: true };

/** A kind of API call of the fake, for scripted failures. */
export type Route = "insert" | "get" | "cancel";

/**
 * A scripted failure: an HTTP status with Google's error body. With `afterApplying` the call
 * takes effect first and only its answer is lost (a job inserted, then a 503).
 */
export type Failure = { status: number; reason?: string; message?: string; afterApplying?: boolean };

const DEFAULT_LOCATION = "US";

const isObject = (v: unknown): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v);
/** BigQuery's REST API carries int64 values as decimal strings. */
const isInt64String = (v: unknown) => typeof v === "string" && /^-?\d{1,19}$/.test(v);

/** Checks a query parameter value against its type, as BigQuery does (values are strings). */
function parameterValueError(type: unknown, value: unknown, where: string): string | undefined {
  if (!isObject(type) || typeof type.type !== "string") return `${where}.parameterType.type must be a string`;
  if (!isObject(value)) return `${where}.parameterValue must be an object`;
  if (type.type === "ARRAY") {
    if (!Array.isArray(value.arrayValues))
      return value.arrayValues === undefined ? undefined : `${where}.arrayValues must be an array`;
    for (const [i, item] of value.arrayValues.entries()) {
      const error = parameterValueError(type.arrayType, item, `${where}.arrayValues[${i}]`);
      if (error) return error;
    }
    return undefined;
  }
  if (type.type === "STRUCT") return isObject(value.structValues) ? undefined : `${where}.structValues must be an object`;
  if (value.value === undefined || value.value === null) return undefined; // a NULL parameter
  if (typeof value.value !== "string") return `${where}.parameterValue.value must be a string, got ${typeof value.value}`;
  if (type.type === "INT64" && !isInt64String(value.value)) return `${where}: "${value.value}" is not an INT64`;
  return undefined;
}

/** The field types `jobs.insert` checks, as BigQuery words a refusal; undefined when fine. */
function insertTypeError(project: string, body: JsonObject): string | undefined {
  const ref = body.jobReference;
  if (ref !== undefined) {
    if (!isObject(ref)) return "jobReference must be an object";
    if (typeof ref.jobId !== "string" || !/^[A-Za-z0-9_-]{1,1024}$/.test(ref.jobId)) return "Invalid job ID";
    if (ref.projectId !== undefined && ref.projectId !== project) return "jobReference.projectId does not match the URL";
    if (ref.location !== undefined && typeof ref.location !== "string") return "jobReference.location must be a string";
  }
  const configuration = body.configuration;
  if (!isObject(configuration)) return "configuration must be an object";
  if (configuration.dryRun !== undefined && typeof configuration.dryRun !== "boolean")
    return "configuration.dryRun must be a boolean";
  if (configuration.jobTimeoutMs !== undefined && !isInt64String(configuration.jobTimeoutMs))
    return "configuration.jobTimeoutMs must be an int64 string";
  if (configuration.labels !== undefined) {
    const labels = configuration.labels;
    if (!isObject(labels) || !Object.values(labels).every((v) => typeof v === "string"))
      return "configuration.labels must map strings to strings";
  }
  const query = configuration.query;
  if (!isObject(query)) return "configuration.query must be an object";
  if (typeof query.query !== "string" || query.query === "") return "configuration.query.query must be a non-empty string";
  if (query.useLegacySql !== undefined && typeof query.useLegacySql !== "boolean") return "useLegacySql must be a boolean";
  if (query.maximumBytesBilled !== undefined && !isInt64String(query.maximumBytesBilled))
    return "maximumBytesBilled must be an int64 string";
  if (query.queryParameters !== undefined) {
    if (!Array.isArray(query.queryParameters)) return "queryParameters must be an array";
    for (const [i, parameter] of query.queryParameters.entries()) {
      if (!isObject(parameter)) return `queryParameters[${i}] must be an object`;
      if (typeof parameter.name !== "string") return `queryParameters[${i}].name must be a string`;
      const error = parameterValueError(parameter.parameterType, parameter.parameterValue, `queryParameters[${i}]`);
      if (error) return error;
    }
  }
  return undefined;
}

function googleError(status: number, reason: string, message: string): FakeResponse {
  const names: Record<number, string> = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ALREADY_EXISTS",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
  };
  return {
    status,
    json: {
      error: { code: status, message, errors: [{ message, domain: "global", reason }], status: names[status] ?? "UNKNOWN" },
    },
  };
}

/**
 * A loopback fake of BigQuery's REST API v2 (jobs.insert, jobs.get, jobs.cancel), as Google's
 * client calls it: paths with or without the `/bigquery/v2` prefix (the prefix is absent with
 * BIGQUERY_EMULATOR_HOST), job ids unique per project (409 on reuse), jobs found only in their
 * location, and scripted state sequences and failures.
 */
export class FakeBigQuery {
  readonly jobs = new Map<string, StoredJob>();
  private readonly received: FakeBigQueryRequest[] = [];
  private readonly failures: Record<Route, Failure[]> = { insert: [], get: [], cancel: [] };
  private readonly delays: Record<Route, number[]> = { insert: [], get: [], cancel: [] };
  /** Chooses the script of a new job from its configuration. @default PENDING, RUNNING, DONE */
  scriptFor: (configuration: JsonObject) => JobScript = () => ({ states: ["PENDING", "RUNNING", "DONE"] });

  private constructor(
    private readonly server: Server,
    /** Base URL, for the agent's `apiEndpoint` or `BIGQUERY_EMULATOR_HOST`. */
    readonly url: string,
    /**
     * The access token every request must carry (else 401 UNAUTHENTICATED, as BigQuery answers),
     * or none checked, as the emulator does. Tests may change it between calls.
     */
    public auth: FakeBigQueryAuth,
  ) {}

  /**
   * Starts the fake on 127.0.0.1 and a free port, accepting only requests with
   * `Authorization: Bearer <auth.accessToken>` (or, with `{ emulator: true }`, any request, as
   * the BigQuery emulator does). Close it with {@link FakeBigQuery.close}.
   */
  static async start(auth: FakeBigQueryAuth): Promise<FakeBigQuery> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    const fake = new FakeBigQuery(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`, auth);
    server.on("request", (req: IncomingMessage, res) => {
      void fake.receive(req).then(
        async ({ status = 200, json, delayMs }) => {
          if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs));
          const text = JSON.stringify(json);
          res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text) });
          res.end(text);
        },
        (err: unknown) => {
          res.writeHead(500);
          res.end(String(err));
        },
      );
    });
    return fake;
  }

  /** Every request received so far, in order, under `http.requests`. */
  get http(): { readonly url: string; readonly requests: FakeBigQueryRequest[] } {
    return { url: this.url, requests: this.received };
  }

  /** Requests of one route so far. */
  requests(route: Route): FakeBigQueryRequest[] {
    return this.received.filter((r) => this.route(r)?.route === route);
  }

  /** Stops listening and drops open connections. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  /** Reads one request with the fake's own parsing and answers it. */
  private async receive(req: IncomingMessage): Promise<FakeResponse> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    const url = new URL(req.url ?? "/", this.url);
    const request: FakeBigQueryRequest = {
      method: (req.method ?? "GET").toUpperCase(),
      path: url.pathname,
      query: Object.fromEntries(url.searchParams.entries()),
      headers: req.headers,
      body: undefined,
    };
    this.received.push(request);
    const authError = this.authError(req.headers.authorization);
    if (authError) return authError;
    if (raw !== "") {
      if (!/^application\/json\b/i.test(req.headers["content-type"] ?? "")) {
        return googleError(400, "invalid", "Content-Type must be application/json");
      }
      try {
        request.body = JSON.parse(raw);
      } catch {
        return googleError(400, "parseError", "Parse Error: the request body is not JSON");
      }
    }
    return this.handle(request);
  }

  /** 401 as BigQuery answers it when the bearer token is missing or not the accepted one. */
  private authError(authorization: string | undefined): FakeResponse | undefined {
    if ("emulator" in this.auth) return undefined;
    if (authorization === undefined) {
      return googleError(
        401,
        "required",
        "Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential.",
      );
    }
    if (authorization !== `Bearer ${this.auth.accessToken}`) {
      return googleError(
        401,
        "authError",
        "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.",
      );
    }
    return undefined;
  }

  /** The next calls of `route` fail like this, in order. */
  failNext(route: Route, ...failures: Failure[]): void {
    this.failures[route].push(...failures);
  }

  /** The next calls of `route` answer only after these delays (ms), in order. */
  slowNext(route: Route, ...delaysMs: number[]): void {
    this.delays[route].push(...delaysMs);
  }

  /** Forgets all jobs, requests and scripted failures. */
  reset(): void {
    this.jobs.clear();
    this.received.length = 0;
    for (const list of Object.values(this.failures)) list.length = 0;
    for (const list of Object.values(this.delays)) list.length = 0;
    this.scriptFor = () => ({ states: ["PENDING", "RUNNING", "DONE"] });
  }

  private route(req: FakeBigQueryRequest): { route: Route; project: string; jobId?: string } | undefined {
    const path = req.path.replace(/^\/bigquery\/v2/, "");
    let m = /^\/projects\/([^/]+)\/jobs$/.exec(path);
    if (m && req.method === "POST") return { route: "insert", project: decodeURIComponent(m[1]!) };
    m = /^\/projects\/([^/]+)\/jobs\/([^/]+)$/.exec(path);
    if (m && req.method === "GET") return { route: "get", project: decodeURIComponent(m[1]!), jobId: decodeURIComponent(m[2]!) };
    m = /^\/projects\/([^/]+)\/jobs\/([^/]+)\/cancel$/.exec(path);
    if (m && req.method === "POST")
      return { route: "cancel", project: decodeURIComponent(m[1]!), jobId: decodeURIComponent(m[2]!) };
    return undefined;
  }

  private handle(req: FakeBigQueryRequest): FakeResponse {
    const route = this.route(req);
    if (!route) return googleError(404, "notFound", `Not found: ${req.method} ${req.path}`);
    const delayMs = this.delays[route.route].shift();
    if (delayMs !== undefined) return { ...this.respond(route, req), delayMs };
    return this.respond(route, req);
  }

  private respond(route: { route: Route; project: string; jobId?: string }, req: FakeBigQueryRequest): FakeResponse {
    const failure = this.failures[route.route].shift();
    if (failure?.afterApplying) this.answer(route, req);
    if (failure)
      return googleError(
        failure.status,
        failure.reason ?? "backendError",
        failure.message ?? "Error encountered during execution. Retrying may solve the problem.",
      );
    return this.answer(route, req);
  }

  private answer(route: { route: Route; project: string; jobId?: string }, req: FakeBigQueryRequest): FakeResponse {
    switch (route.route) {
      case "insert":
        if (!isObject(req.body)) return googleError(400, "invalid", "the request body must be a JSON object");
        return this.insert(route.project, req.body);
      case "get":
        return this.withJob(route.project, route.jobId!, req.query.location, (job) => {
          job.polls += 1;
          return { json: this.resource(job) };
        });
      case "cancel":
        return this.withJob(route.project, route.jobId!, req.query.location, (job) => {
          if (this.state(job) !== "DONE") job.cancelled = true;
          return { json: { kind: "bigquery#jobCancelResponse", job: this.resource(job) } };
        });
    }
  }

  private insert(project: string, body: JsonObject): FakeResponse {
    const invalid = insertTypeError(project, body);
    if (invalid) return googleError(400, "invalid", invalid);
    const ref = (body.jobReference ?? {}) as { jobId?: string; location?: string; projectId?: string };
    const configuration = (body.configuration ?? {}) as JsonObject;
    const jobId = ref.jobId ?? "";
    if (!jobId) return googleError(400, "invalid", "Job id is required");
    const location = ref.location ?? DEFAULT_LOCATION;
    const script = this.scriptFor(configuration);
    if (configuration.dryRun === true) {
      return {
        json: {
          kind: "bigquery#job",
          jobReference: { projectId: project, location },
          configuration,
          status: { state: "DONE" },
          statistics: { totalBytesProcessed: script.totalBytesProcessed ?? "1234", query: { totalBytesProcessed: "1234" } },
        },
      };
    }
    if (this.jobs.has(`${project}/${jobId}`)) {
      return googleError(409, "duplicate", `Already Exists: Job ${project}:${location}.${jobId}`);
    }
    const query = (configuration.query ?? {}) as JsonObject;
    if (!query.destinationTable) {
      query.destinationTable = { projectId: project, datasetId: "_anon_dataset", tableId: `anon_${jobId.slice(-12)}` };
    }
    const job: StoredJob = {
      project,
      jobId,
      location,
      configuration: { ...configuration, query },
      script,
      polls: 0,
      cancelled: false,
    };
    this.jobs.set(`${project}/${jobId}`, job);
    return { json: this.resource(job) };
  }

  private withJob(
    project: string,
    jobId: string,
    location: string | undefined,
    answer: (job: StoredJob) => FakeResponse,
  ): FakeResponse {
    const job = this.jobs.get(`${project}/${jobId}`);
    // BigQuery finds a job outside the US and EU multi-regions only when the location is given.
    const visible = job && (location ? location === job.location : job.location === "US" || job.location === "EU");
    if (!job || !visible)
      return googleError(404, "notFound", `Not found: Job ${project}:${location ?? DEFAULT_LOCATION}.${jobId}`);
    return answer(job);
  }

  private state(job: StoredJob): string {
    if (job.cancelled) return "DONE";
    const states = job.script.states;
    return states[Math.min(job.polls, states.length) - 1] ?? "PENDING";
  }

  private resource(job: StoredJob): JsonObject {
    const state = this.state(job);
    const status: JsonObject = { state };
    if (state === "DONE" && job.cancelled) {
      status.errorResult = { reason: "stopped", message: "Job execution was cancelled: User requested cancellation" };
    } else if (state === "DONE" && job.script.error) {
      status.errorResult = job.script.error;
      status.errors = [job.script.error];
    }
    return {
      kind: "bigquery#job",
      id: `${job.project}:${job.location}.${job.jobId}`,
      jobReference: { projectId: job.project, jobId: job.jobId, location: job.location },
      configuration: { ...job.configuration, jobType: "QUERY" },
      status,
      statistics:
        state === "DONE"
          ? { totalBytesProcessed: "2048", query: { totalBytesProcessed: "2048", totalBytesBilled: "10485760", cacheHit: false } }
          : {},
    };
  }
}
