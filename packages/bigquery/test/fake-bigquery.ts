import { type FakeHttpService, type FakeRequest, type FakeResponse, startFakeHttpService } from "@flyte-agent/testing";

/** What a job does when polled: its states on successive jobs.get calls (the last one repeats). */
export interface JobScript {
  states: Array<"PENDING" | "RUNNING" | "DONE">;
  /** Set when the job fails: BigQuery's error result. */
  error?: { reason: string; message: string };
  /** Statistics reported once DONE. */
  totalBytesProcessed?: string;
}

type JsonObject = { [key: string]: unknown };

interface StoredJob {
  project: string;
  jobId: string;
  location: string;
  configuration: JsonObject;
  script: JobScript;
  polls: number;
  cancelled: boolean;
}

/** A kind of API call of the fake, for scripted failures. */
export type Route = "insert" | "get" | "cancel";

/**
 * A scripted failure: an HTTP status with Google's error body. With `afterApplying` the call
 * takes effect first and only its answer is lost (a job inserted, then a 503).
 */
export type Failure = { status: number; reason?: string; message?: string; afterApplying?: boolean };

const DEFAULT_LOCATION = "US";

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
  private readonly failures: Record<Route, Failure[]> = { insert: [], get: [], cancel: [] };
  private readonly delays: Record<Route, number[]> = { insert: [], get: [], cancel: [] };
  /** Chooses the script of a new job from its configuration. @default PENDING, RUNNING, DONE */
  scriptFor: (configuration: JsonObject) => JobScript = () => ({ states: ["PENDING", "RUNNING", "DONE"] });

  private constructor(readonly http: FakeHttpService) {}

  /** Starts the fake on 127.0.0.1 (closed after the test file). */
  static async start(): Promise<FakeBigQuery> {
    let fake: FakeBigQuery | undefined;
    const http = await startFakeHttpService((req) => fake!.handle(req));
    fake = new FakeBigQuery(http);
    return fake;
  }

  /** Base URL, for the agent's `apiEndpoint`. */
  get url(): string {
    return this.http.url;
  }

  /** Requests of one route so far. */
  requests(route: Route): FakeRequest[] {
    return this.http.requests.filter((r) => this.route(r)?.route === route);
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
    this.http.requests.length = 0;
    for (const list of Object.values(this.failures)) list.length = 0;
    for (const list of Object.values(this.delays)) list.length = 0;
    this.scriptFor = () => ({ states: ["PENDING", "RUNNING", "DONE"] });
  }

  private route(req: FakeRequest): { route: Route; project: string; jobId?: string } | undefined {
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

  private handle(req: FakeRequest): FakeResponse {
    const route = this.route(req);
    if (!route) return googleError(404, "notFound", `Not found: ${req.method} ${req.path}`);
    const delayMs = this.delays[route.route].shift();
    if (delayMs !== undefined) return { ...this.respond(route, req), delayMs };
    return this.respond(route, req);
  }

  private respond(route: { route: Route; project: string; jobId?: string }, req: FakeRequest): FakeResponse {
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

  private answer(route: { route: Route; project: string; jobId?: string }, req: FakeRequest): FakeResponse {
    switch (route.route) {
      case "insert":
        return this.insert(route.project, req.body as JsonObject);
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
