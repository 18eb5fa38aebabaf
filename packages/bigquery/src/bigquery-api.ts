import type { BigQuery, BigQueryOptions } from "@google-cloud/bigquery";
import { type CredentialChoice, credentialKey } from "./credentials";
import { toApiError } from "./api-error";
import type { JobInsertRequest } from "./job-config";
import type { JobResource } from "./job-resource";
import { BIGQUERY_PLUGIN_VERSION } from "./version";

/** What one client is for: a project, seen through one endpoint with one set of credentials. */
export interface ClientTarget {
  project: string;
  domain?: string;
  apiEndpoint?: string;
  credentials: CredentialChoice;
  requestTimeoutMs: number;
}

/** The subset of google-auth-library's AuthClient that Google's client calls when given one. */
interface HeaderAuthClient {
  getRequestHeaders(url?: string): Promise<Headers>;
}

function headerAuth(token: () => string | Promise<string>): HeaderAuthClient {
  return {
    async getRequestHeaders() {
      const value = await token();
      return new Headers(value ? { authorization: `Bearer ${value}` } : {});
    },
  };
}

function userAgent(domain: string | undefined): string {
  const base = `flyte-agent-bigquery/${BIGQUERY_PLUGIN_VERSION}`;
  const clean = domain?.replace(/[^A-Za-z0-9_.-]+/g, "-");
  return clean ? `${base} (flyte-domain ${clean})` : base;
}

function clientOptions(target: ClientTarget): BigQueryOptions & { timeout: number } {
  const options: BigQueryOptions & { timeout: number } = {
    projectId: target.project,
    userAgent: userAgent(target.domain),
    // One attempt per call: the agent's own bounded retry decides (see retry.ts).
    retryOptions: { autoRetry: false },
    timeout: target.requestTimeoutMs,
  };
  if (target.apiEndpoint) options.apiEndpoint = target.apiEndpoint;
  const c = target.credentials;
  if (c.kind === "token") options.authClient = headerAuth(c.token) as unknown as BigQueryOptions["authClient"];
  else if (c.kind === "none") options.authClient = headerAuth(() => "") as unknown as BigQueryOptions["authClient"];
  else if (c.kind === "service-account") options.credentials = { client_email: c.clientEmail, private_key: c.privateKey };
  return options;
}

/** Wraps Google's client for one target: insert, get and cancel a job; results as plain JSON. */
export class BigQueryJobs {
  constructor(private readonly client: BigQuery) {}

  /**
   * `jobs.insert`. A job id that exists already (HTTP 409, a repeated CreateTask) is not an
   * error: `duplicate` is true and `job` is undefined.
   */
  async insert(request: JobInsertRequest): Promise<{ job?: JobResource; duplicate: boolean }> {
    try {
      const [, response] = await this.client.createJob({ ...request });
      return { job: response as JobResource, duplicate: false };
    } catch (err) {
      // The job was created but already carries errors: it exists, and `get` will report them.
      const created = (err as { response?: JobResource }).response;
      if (created && typeof created === "object" && created.jobReference?.jobId) return { job: created, duplicate: false };
      const apiError = toApiError(err);
      if (apiError.httpStatus === 409) return { duplicate: true };
      throw apiError;
    }
  }

  /** `jobs.get` in the job's location. */
  async get(jobId: string, location: string | undefined): Promise<JobResource> {
    try {
      const [metadata] = await this.client.job(jobId, location ? { location } : {}).getMetadata();
      return metadata as JobResource;
    } catch (err) {
      throw toApiError(err);
    }
  }

  /** `jobs.cancel` in the job's location. */
  async cancel(jobId: string, location: string | undefined): Promise<void> {
    try {
      await this.client.job(jobId, location ? { location } : {}).cancel();
    } catch (err) {
      throw toApiError(err);
    }
  }
}

const MAX_CLIENTS = 32;

/**
 * Keeps one Google client per target (so ADC tokens are cached), at most {@link MAX_CLIENTS}.
 * `BIGQUERY_EMULATOR_HOST` is read by Google's client when it is built, so it is part of the key.
 */
export class BigQueryClients {
  private readonly clients = new Map<string, BigQueryJobs>();

  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  /** The client for a target. */
  for(target: ClientTarget): BigQueryJobs {
    const key = JSON.stringify([
      target.project,
      target.domain ?? "",
      target.apiEndpoint ?? "",
      this.env.BIGQUERY_EMULATOR_HOST ?? "",
      credentialKey(target.credentials),
      target.requestTimeoutMs,
    ]);
    let jobs = this.clients.get(key);
    if (jobs) {
      this.clients.delete(key);
      this.clients.set(key, jobs); // most recently used last
      return jobs;
    }
    // The Google client (several MB of modules) is loaded when a BigQuery task first runs, not at start-up.
    const { BigQuery: Client } = require("@google-cloud/bigquery") as typeof import("@google-cloud/bigquery");
    jobs = new BigQueryJobs(new Client(clientOptions(target)));
    this.clients.set(key, jobs);
    while (this.clients.size > MAX_CLIENTS) {
      const oldest = this.clients.keys().next().value;
      if (oldest === undefined) break;
      this.clients.delete(oldest);
    }
    return jobs;
  }
}
