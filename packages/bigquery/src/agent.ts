import {
  AgentError,
  AsyncAgent,
  type Connection,
  type CreateContext,
  expectMetaFields,
  InvalidMetaError,
  isAgentError,
  Phase,
  type RetryPolicy,
  retryPolicy,
  StatusCode,
  type Resource,
  type TaskContext,
  TaskInputError,
} from "@flyte-agent/core";
import { BigQueryApiError } from "./api-error";
import { BigQueryClients, type BigQueryJobs } from "./bigquery-api";
import { chooseCredentials, DEFAULT_CREDENTIALS_SECRET } from "./credentials";
import { buildJobRequest } from "./job-config";
import { deriveJobId } from "./job-id";
import { outputName } from "./outputs";
import { toQueryParameters } from "./parameters";
import { BIGQUERY_RETRY_DEFAULTS, lastFailure, RetriesExhausted, withRetry } from "./retry";
import { consoleLink, jobToResource } from "./state";
import { BIGQUERY_CUSTOM_KEYS, readTaskConfig } from "./task-config";
import type { BigQueryAgentOptions, BigQueryJobMeta } from "./types";

/** The task type of BigQuery query tasks (flytekit's `BigQueryTask`). */
export const BIGQUERY_TASK_TYPE = "bigquery_query_job_task";

const JOB_ID = /^[A-Za-z0-9_-]{1,1024}$/;
const PROJECT = /^[a-z][a-z0-9.:-]{0,127}$/i;

/** Maps a failed API call to the gRPC status CreateTask/DeleteTask answer with. */
function callError(action: string, err: unknown): unknown {
  if (isAgentError(err)) return err;
  if (err instanceof RetriesExhausted) {
    return new AgentError(
      StatusCode.UNAVAILABLE,
      `BigQuery API unavailable (${describe(lastFailure(err))} after ${attempts(err.attempts)}); ${action} again later`,
    );
  }
  if (!(err instanceof BigQueryApiError)) return err;
  switch (err.httpStatus) {
    case 400:
      return new TaskInputError(`BigQuery rejected the job: ${err.message}`);
    case 401:
      return new AgentError(StatusCode.UNAUTHENTICATED, `BigQuery refused the agent's credentials: ${err.message}`);
    case 403:
      return new AgentError(StatusCode.PERMISSION_DENIED, `BigQuery denied access: ${err.message}`);
    case 404:
      return new AgentError(StatusCode.NOT_FOUND, `BigQuery: ${err.message}`);
    default:
      return new AgentError(
        err.transient ? StatusCode.UNAVAILABLE : StatusCode.FAILED_PRECONDITION,
        `BigQuery API error (${describe(err)})`,
      );
  }
}

function attempts(n: number): string {
  return n === 1 ? "1 attempt" : `${n} attempts`;
}

function describe(err: BigQueryApiError): string {
  return err.httpStatus ? `HTTP ${err.httpStatus}: ${err.message}` : err.message;
}

/**
 * Runs `bigquery_query_job_task` tasks as BigQuery query jobs: the template's SQL with every
 * input as a named parameter, honouring the query job configuration the template carries.
 * CreateTask is idempotent (the job id derives from the task execution id and attempt);
 * GetTask maps the job's state; DeleteTask cancels it.
 */
export class BigQueryAgent extends AsyncAgent<BigQueryJobMeta> {
  readonly name = "BigQuery Agent";
  readonly category = { name: BIGQUERY_TASK_TYPE, version: 0 };
  /** The keys of `template.custom` this agent reads: flytekit's fields and BigQuery's query job configuration. */
  readonly customKeys = BIGQUERY_CUSTOM_KEYS;
  private readonly clients: BigQueryClients;
  private readonly retry: RetryPolicy;
  private readonly consoleUrl: string;
  private readonly env: NodeJS.ProcessEnv;
  private readonly apiEndpoint: string | undefined;
  private readonly credentialsSecret: string;
  private readonly requestTimeoutMs: number;

  /** Reads its configuration once, here: from `options`, else from the environment variables named there. */
  constructor(private readonly options: BigQueryAgentOptions = {}) {
    super();
    this.env = options.env ?? process.env;
    this.retry = retryPolicy(options.retry, BIGQUERY_RETRY_DEFAULTS);
    this.consoleUrl = options.consoleUrl ?? "https://console.cloud.google.com/bigquery";
    this.apiEndpoint = options.apiEndpoint || this.env.FLYTE_BIGQUERY_API_ENDPOINT || undefined;
    this.credentialsSecret =
      options.credentialsSecret ?? this.env.FLYTE_BIGQUERY_CREDENTIALS_SECRET ?? DEFAULT_CREDENTIALS_SECRET;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 20_000;
    if (!(this.requestTimeoutMs > 0)) throw new RangeError(`requestTimeoutMs must be > 0, got ${this.requestTimeoutMs}`);
    this.clients = new BigQueryClients(this.env);
  }

  /** Starts the query job (or finds the one a previous CreateTask of this attempt started). */
  async create(ctx: CreateContext): Promise<BigQueryJobMeta> {
    const config = readTaskConfig(ctx.template);
    const output = outputName(ctx.template);
    const parameters = toQueryParameters(ctx.inputs, ctx.template.interface?.inputs, config.parameterTypes);
    const jobId = deriveJobId(ctx.taskExecutionMetadata, ctx.outputPrefix);
    const request = buildJobRequest(config, parameters, jobId);
    const dryRun = request.configuration.dryRun === true;
    if (dryRun && output) {
      throw new TaskInputError(`a dry run creates no table, but the task declares the output "${output}"`);
    }
    const jobs = this.jobsFor(config.project, config.domain, ctx.connection);
    const inserted = await withRetry(() => jobs.insert(request), this.retry, ctx.signal, ctx.deadline).catch((err: unknown) => {
      throw callError("CreateTask will be tried", err);
    });
    let location = inserted.job?.jobReference?.location || config.location || "";
    if (inserted.duplicate) {
      ctx.log.info({ jobId, project: config.project }, "BigQuery job exists already (repeated CreateTask); not starting another");
      if (!location) {
        const existing = await withRetry(() => jobs.get(jobId, undefined), this.retry, ctx.signal, ctx.deadline).catch(
          () => undefined,
        );
        location = existing?.jobReference?.location ?? "";
      }
    } else {
      ctx.log.info({ jobId, project: config.project, location, parameters: parameters.length }, "BigQuery job started");
    }
    const meta: BigQueryJobMeta = { jobId, project: config.project, location };
    if (config.domain) meta.domain = config.domain;
    if (output) meta.output = output;
    if (dryRun) meta.dryRunBytes = inserted.job?.statistics?.totalBytesProcessed ?? "0";
    return meta;
  }

  /** Reports the job's phase; transient API failures become RUNNING with a message, never an RPC error. */
  async get(meta: BigQueryJobMeta, ctx: TaskContext): Promise<Resource> {
    if (meta.dryRunBytes !== undefined) {
      return { phase: Phase.SUCCEEDED, message: `dry run: the query would process ${meta.dryRunBytes} bytes` };
    }
    const jobs = this.jobsFor(meta.project, meta.domain, ctx.connection);
    const logLinks = [consoleLink(meta, this.consoleUrl)];
    try {
      const job = await withRetry(() => jobs.get(meta.jobId, meta.location || undefined), this.retry, ctx.signal, ctx.deadline);
      return jobToResource(job, meta, this.consoleUrl);
    } catch (err) {
      if (err instanceof RetriesExhausted) {
        const last = describe(lastFailure(err));
        ctx.log.warn({ jobId: meta.jobId, attempts: err.attempts, error: last }, "BigQuery API unavailable");
        return {
          phase: Phase.RUNNING,
          message: `BigQuery API unavailable (${last} after ${attempts(err.attempts)}); will check again`,
          logLinks,
        };
      }
      if (err instanceof BigQueryApiError && err.httpStatus === 404) {
        return {
          phase: Phase.FAILED,
          message: `BigQuery job ${meta.jobId} not found in ${meta.location || "its location"}: ${err.message}`,
          logLinks,
        };
      }
      if (
        err instanceof BigQueryApiError &&
        err.httpStatus !== undefined &&
        err.httpStatus >= 400 &&
        err.httpStatus < 500 &&
        err.httpStatus !== 401 &&
        err.httpStatus !== 403
      ) {
        return { phase: Phase.FAILED, message: `BigQuery refused to report job ${meta.jobId}: ${err.message}`, logLinks };
      }
      throw callError("GetTask will be tried", err);
    }
  }

  /** Cancels the job; OK when it has finished already or does not exist. */
  async delete(meta: BigQueryJobMeta, ctx: TaskContext): Promise<void> {
    if (meta.dryRunBytes !== undefined) return;
    const jobs = this.jobsFor(meta.project, meta.domain, ctx.connection);
    try {
      await withRetry(() => jobs.cancel(meta.jobId, meta.location || undefined), this.retry, ctx.signal, ctx.deadline);
      ctx.log.info({ jobId: meta.jobId }, "BigQuery job cancel requested");
    } catch (err) {
      if (err instanceof BigQueryApiError && err.httpStatus === 404) return;
      throw callError("DeleteTask will be tried", err);
    }
  }

  /** Accepts only metadata this agent wrote (a job id and project BigQuery would accept). */
  protected override validateMeta(value: unknown): BigQueryJobMeta {
    const meta = expectMetaFields<BigQueryJobMeta>(value, {
      jobId: "string",
      project: "string",
      location: "string",
      domain: "string?",
      output: "string?",
      dryRunBytes: "string?",
    });
    if (!JOB_ID.test(meta.jobId)) throw new InvalidMetaError('resource_meta field "jobId" is not a BigQuery job id');
    if (!PROJECT.test(meta.project)) throw new InvalidMetaError('resource_meta field "project" is not a project id');
    return meta;
  }

  private jobsFor(project: string, domain: string | undefined, connection: Connection | undefined): BigQueryJobs {
    // Secrets are read at each call (a rotated key is picked up); the rest of the configuration once.
    const credentials = chooseCredentials({
      accessToken: this.options.accessToken,
      credentialsSecret: this.credentialsSecret,
      secretSource: this.options.secretSource,
      env: this.env,
      connection,
    });
    return this.clients.for({
      project,
      domain,
      apiEndpoint: this.apiEndpoint,
      credentials,
      requestTimeoutMs: this.requestTimeoutMs,
    });
  }
}
