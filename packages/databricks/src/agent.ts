import { randomBytes } from "node:crypto";
import {
  AgentError,
  AsyncAgent,
  type CallContext,
  type CreateContext,
  InvalidMetaError,
  type LogLink,
  Phase,
  type Resource,
  type SecretSourceOptions,
  type TaskCategory,
  TaskInputError,
  StatusCode,
  attemptIdentity,
  expectMetaFields,
  idempotencyKey,
  retryPolicy,
} from "@flyte-agent/core";
import { DEFAULT_TOKEN_SECRET, checkSecretName, readAccessToken } from "./access-token";
import { INSTANCE_ENV, allowedHostsFrom, isHostAllowed, toBaseUrl } from "./instance";
import type { ApiOutcome, JobsApiCall, JobsApiClient, JobsApiClientOptions, RunInfo } from "./jobs-api";
import { phaseOfRun } from "./run-state";
import { buildRunSubmitBody, customOf, DATABRICKS_CUSTOM_KEYS, optionalString } from "./run-submit-body";
import { runName } from "./run-name";
import type { DatabricksAgentOptions, DatabricksRunMeta } from "./types";

/** Display name of the agent (both categories share it, so ListAgents shows one agent). */
export const DATABRICKS_AGENT_NAME = "Databricks Agent";

const LOG_LINK_NAME = "Databricks Console";

/** Retry defaults of this plugin (see {@link RetryOptions}). */
const DEFAULT_RETRY = { maxAttempts: 4, baseDelayMs: 200, maxDelayMs: 2_000, maxRetryAfterMs: 5_000 } as const;

/** Keeps the tokens of runs submitted before this key scheme was shared with core unchanged. */
const IDEMPOTENCY_NAMESPACE = "flyte-agent-databricks/v1";

/**
 * The `idempotency_token` of a run: the same for every CreateTask of one task attempt, another
 * for the next attempt; 64 hex characters, the most the Jobs API allows. A local run without an
 * execution id gets a random token, which still makes retries inside one call safe.
 */
function idempotencyToken(ctx: CreateContext): string {
  const identity = attemptIdentity(ctx.taskExecutionMetadata);
  return identity ? idempotencyKey(identity, IDEMPOTENCY_NAMESPACE) : randomBytes(32).toString("hex");
}

/**
 * Runs Flyte tasks as Databricks one-time runs (Jobs API 2.1 `runs/submit`). One instance serves
 * one task type (`databricks`, or the legacy `spark`); {@link DatabricksAgent.withTaskType}
 * makes a sibling that shares the connection pool.
 */
export class DatabricksAgent extends AsyncAgent<DatabricksRunMeta> {
  readonly name = DATABRICKS_AGENT_NAME;
  readonly category: TaskCategory;
  /** The keys of `template.custom` this agent reads (flytekit's Spark/Databricks task fields). */
  readonly customKeys = DATABRICKS_CUSTOM_KEYS;
  /** The connection pool, shared with siblings made by {@link DatabricksAgent.withTaskType}; created on first use. */
  private pool: { client?: JobsApiClient; readonly options: JobsApiClientOptions };
  private readonly tokenSecret: string;
  private readonly allowedHosts: readonly string[];
  private readonly env: NodeJS.ProcessEnv;
  private readonly secretSource: SecretSourceOptions;

  constructor(private readonly options: DatabricksAgentOptions = {}) {
    super();
    this.category = { name: options.taskType ?? "databricks", version: 0 };
    this.tokenSecret = checkSecretName(options.tokenSecret ?? DEFAULT_TOKEN_SECRET);
    this.env = options.env ?? process.env;
    this.secretSource = { ...options.secrets, env: options.secrets?.env ?? this.env };
    this.allowedHosts = allowedHostsFrom(options.allowedHosts, this.env);
    const requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
    const maxSockets = options.maxSockets ?? 128;
    if (!(requestTimeoutMs > 0)) throw new RangeError(`requestTimeoutMs must be > 0, got ${requestTimeoutMs}`);
    if (!(maxSockets >= 1)) throw new RangeError(`maxSockets must be >= 1, got ${maxSockets}`);
    this.pool = { options: { requestTimeoutMs, maxSockets, retry: retryPolicy(options.retry, DEFAULT_RETRY) } };
  }

  /** The same agent for another task type, sharing this one's connection pool. */
  withTaskType(taskType: string): DatabricksAgent {
    const sibling = new DatabricksAgent({ ...this.options, taskType });
    sibling.pool = this.pool;
    return sibling;
  }

  /** Closes pooled connections (idle ones never keep the process alive). */
  close(): void {
    this.pool.client?.close();
  }

  /**
   * The Jobs API client, made on first use. Its module (and axios with it) is loaded then too:
   * at start-up it would cost about 6 MiB of resident memory in every server, also those that
   * never run a Databricks task.
   */
  private get client(): JobsApiClient {
    if (!this.pool.client) {
      const { JobsApiClient: Client } = require("./jobs-api") as typeof import("./jobs-api");
      this.pool.client = new Client(this.pool.options);
    }
    return this.pool.client;
  }

  /** Submits the run; the idempotency token makes a repeated CreateTask return the same run. */
  async create(ctx: CreateContext): Promise<DatabricksRunMeta> {
    const custom = customOf(ctx.template);
    const body = buildRunSubmitBody(ctx.template, this.env);
    body.idempotency_token = idempotencyToken(ctx);
    if (typeof body.run_name !== "string" || body.run_name === "")
      body.run_name = runName(ctx.template, ctx.taskExecutionMetadata);
    const instance = this.workspace(optionalString(custom, "databricksInstance"));
    const chosenSecret = optionalString(custom, "databricksTokenSecret");
    const tokenSecret = chosenSecret === undefined ? undefined : checkSecretName(chosenSecret);

    const outcome = await this.client.submitRun(this.call(ctx, instance, tokenSecret), body);
    if (outcome.kind !== "ok") throw createError(outcome, instance);
    ctx.log.info({ runId: outcome.value.runId, host: new URL(instance).host }, "submitted Databricks run");
    return { instance, runId: outcome.value.runId, ...(tokenSecret ? { tokenSecret } : {}) };
  }

  /** Reads the run's state. Transient API trouble is a RUNNING reply with a message, not an error. */
  async get(meta: DatabricksRunMeta, ctx: CallContext): Promise<Resource> {
    const outcome = await this.client.getRun(this.call(ctx, this.checkedInstance(meta), meta.tokenSecret), meta.runId);
    switch (outcome.kind) {
      case "ok": {
        const { phase, message } = phaseOfRun(outcome.value.state, outcome.value.status);
        return { phase, message, logLinks: [consoleLink(meta, outcome.value)] };
      }
      case "unavailable":
        ctx.log.warn({ runId: meta.runId, reason: outcome.message }, "Databricks unavailable; reporting the run as running");
        return { phase: Phase.RUNNING, message: `cannot read run ${meta.runId} yet: ${outcome.message}` };
      case "auth":
        return { phase: Phase.FAILED, message: `${authMessage(outcome.status)} (${outcome.message})` };
      case "not_found":
        return { phase: Phase.FAILED, message: `run ${meta.runId} does not exist in ${meta.instance} (${outcome.message})` };
      case "rejected":
        return { phase: Phase.FAILED, message: `Databricks refused to report run ${meta.runId}: ${outcome.message}` };
    }
  }

  /** Cancels the run; a run that is already finished or gone is fine. */
  async delete(meta: DatabricksRunMeta, ctx: CallContext): Promise<void> {
    const outcome = await this.client.cancelRun(this.call(ctx, this.checkedInstance(meta), meta.tokenSecret), meta.runId);
    if (outcome.kind === "ok" || outcome.kind === "not_found") return;
    if (outcome.kind === "rejected" && outcome.errorCode === "INVALID_STATE") return;
    if (outcome.kind === "auth")
      throw new AgentError(authCode(outcome.status), `${authMessage(outcome.status)} (${outcome.message})`);
    if (outcome.kind === "unavailable")
      throw new AgentError(StatusCode.UNAVAILABLE, `cannot cancel run ${meta.runId}: ${outcome.message}`);
    throw new AgentError(StatusCode.FAILED_PRECONDITION, `Databricks refused to cancel run ${meta.runId}: ${outcome.message}`);
  }

  protected override validateMeta(value: unknown): DatabricksRunMeta {
    const meta = expectMetaFields<DatabricksRunMeta>(value, { instance: "string", runId: "string", tokenSecret: "string?" });
    if (!/^\d{1,20}$/.test(meta.runId)) throw new InvalidMetaError("resource_meta runId must be a decimal run id");
    try {
      toBaseUrl(meta.instance);
      if (meta.tokenSecret !== undefined) checkSecretName(meta.tokenSecret);
    } catch (err) {
      throw new InvalidMetaError(`resource_meta is invalid: ${(err as Error).message}`);
    }
    return meta;
  }

  /** The workspace base URL of a task: its own, else the agent's default; checked against the allowed hosts. */
  private workspace(fromTask: string | undefined): string {
    const instance = fromTask ?? this.options.instance ?? this.env[INSTANCE_ENV];
    if (!instance) {
      throw new TaskInputError(
        `no Databricks workspace: set custom.databricksInstance in the task or ${INSTANCE_ENV} on the agent`,
      );
    }
    let baseUrl: string;
    try {
      baseUrl = toBaseUrl(instance);
    } catch (err) {
      throw new TaskInputError((err as Error).message);
    }
    return this.allowed(baseUrl);
  }

  private checkedInstance(meta: DatabricksRunMeta): string {
    return this.allowed(toBaseUrl(meta.instance));
  }

  private allowed(baseUrl: string): string {
    if (!isHostAllowed(baseUrl, this.allowedHosts)) {
      throw new TaskInputError(`Databricks host ${new URL(baseUrl).hostname} is not in the agent's allowed hosts`);
    }
    return baseUrl;
  }

  private call(ctx: CallContext, baseUrl: string, tokenSecret: string | undefined): JobsApiCall {
    const token = readAccessToken(tokenSecret ?? this.tokenSecret, this.secretSource, ctx.connection);
    return { baseUrl, token, signal: ctx.signal, deadline: ctx.deadline, log: ctx.log };
  }
}

function consoleLink(meta: DatabricksRunMeta, run: RunInfo): LogLink {
  if (run.runPageUrl && /^https?:\/\//i.test(run.runPageUrl)) return { name: LOG_LINK_NAME, uri: run.runPageUrl };
  const job = run.jobId ? `#job/${run.jobId}/run/${meta.runId}` : `#job/run/${meta.runId}`;
  return { name: LOG_LINK_NAME, uri: `${meta.instance}/${job}` };
}

function authCode(httpStatus: number): number {
  return httpStatus === 401 ? StatusCode.UNAUTHENTICATED : StatusCode.PERMISSION_DENIED;
}

function authMessage(httpStatus: number): string {
  return httpStatus === 401
    ? "Databricks rejected the access token (HTTP 401): check the token secret"
    : "the access token may not do this (HTTP 403): check the token's permissions on the workspace";
}

function createError(outcome: Exclude<ApiOutcome<unknown>, { kind: "ok" }>, instance: string): AgentError {
  switch (outcome.kind) {
    case "auth":
      return new AgentError(authCode(outcome.status), `${authMessage(outcome.status)} (${outcome.message})`);
    case "unavailable":
      return new AgentError(StatusCode.UNAVAILABLE, `cannot submit the run to ${instance}: ${outcome.message}`);
    case "not_found":
      return new AgentError(
        StatusCode.FAILED_PRECONDITION,
        `${instance} has no Jobs API 2.1 (${outcome.message}): is it a Databricks workspace?`,
      );
    case "rejected":
      return new TaskInputError(`Databricks refused the run: ${outcome.message}`);
  }
}
