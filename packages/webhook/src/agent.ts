import { type ExecuteContext, Phase, type Resource, redactValues, type SecretSourceOptions, SyncAgent } from "@flyte-agent/core";
import { ALLOWED_HOSTS_ENV, type AllowedHost, parseAllowedHost, parseAllowedHosts } from "./allowed-hosts";
import { buildRequest, parseWebhookUrl } from "./build-request";
import { type DestinationPolicy, DestinationRefused, systemResolver } from "./destination";
import { parseSecretNames, SECRETS_ENV } from "./header-secrets";
import { webhookOutputs, webhookRender } from "./literals";
import { sendRequest, WebhookCallError } from "./send-request";
import { readWebhookTask, WEBHOOK_CUSTOM_KEYS, type WebhookTask } from "./task-config";
import { WebhookTaskError } from "./task-error";
import type { WebhookAgentOptions } from "./types";
import { observeWebhookCall } from "./webhook-metrics";

/** Display name of the agent (flytekit's). */
export const WEBHOOK_AGENT_NAME = "Webhook Connector";

/** The message of a successful call (flytekit's). */
export const SUCCESS_MESSAGE = "Webhook was successfully invoked!";

/** Default cap of the response body: 1 MiB. */
export const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;
/** Default cap of `timeout_sec`. */
export const DEFAULT_MAX_TIMEOUT_SEC = 60;

/** Statuses worth trying again later (the task's retries, if it has any). */
const RETRYABLE_STATUSES = new Set([408, 429, 502, 503, 504]);
/** Longest part of a response body quoted in a failure message. */
const QUOTED_BODY_CHARS = 1_000;

function positiveNumber(name: string, value: number | string | undefined, fallback: number): number {
  if (value === undefined || value === "") return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new RangeError(`${name} must be a number > 0, got ${String(value)}`);
  return n;
}

/**
 * Calls a URL for flytekit's `WebhookTask` (task type `webhook`, sync): GET with `data` as query
 * parameters or POST with `data` as a JSON body, after checking the destination against the
 * agent's rules. Any 2xx succeeds, with the output `info`.
 */
export class WebhookAgent extends SyncAgent {
  readonly name = WEBHOOK_AGENT_NAME;
  readonly category = { name: "webhook", version: 0 };
  /** The `custom` keys this agent reads (flytekit's). */
  readonly customKeys = WEBHOOK_CUSTOM_KEYS;
  /**
   * The ExecuteTaskSync deadline a call may need: the longest timeout the agent allows
   * (`maxTimeoutSec`) and a second to answer. `flyte-agent propeller-config` writes it, since
   * propeller's default (10 s, or 3 s for `agent-service`) would cut a webhook's own `timeout_sec`.
   */
  override readonly minExecuteDeadlineMs: number;
  private readonly policy: DestinationPolicy;
  private readonly secretNames: readonly string[];
  private readonly secretSource: SecretSourceOptions;
  private readonly maxResponseBytes: number;
  private readonly maxTimeoutMs: number;
  private readonly marginMs: number;

  constructor(options: WebhookAgentOptions = {}) {
    super();
    const env = options.env ?? process.env;
    const allowedHosts: AllowedHost[] = options.allowedHosts
      ? options.allowedHosts.map(parseAllowedHost)
      : parseAllowedHosts(env[ALLOWED_HOSTS_ENV]);
    this.policy = { allowedHosts, resolve: options.resolver ?? systemResolver };
    this.secretNames = options.secretNames ? parseSecretNames(options.secretNames.join(",")) : parseSecretNames(env[SECRETS_ENV]);
    this.secretSource = { ...options.secrets, env: options.secrets?.env ?? env };
    this.maxResponseBytes = Math.floor(
      positiveNumber(
        "maxResponseBytes (FLYTE_WEBHOOK_MAX_RESPONSE_BYTES)",
        options.maxResponseBytes ?? env.FLYTE_WEBHOOK_MAX_RESPONSE_BYTES,
        DEFAULT_MAX_RESPONSE_BYTES,
      ),
    );
    this.maxTimeoutMs =
      1000 *
      positiveNumber(
        "maxTimeoutSec (FLYTE_WEBHOOK_MAX_TIMEOUT_SEC)",
        options.maxTimeoutSec ?? env.FLYTE_WEBHOOK_MAX_TIMEOUT_SEC,
        DEFAULT_MAX_TIMEOUT_SEC,
      );
    this.minExecuteDeadlineMs = this.maxTimeoutMs + 1000;
    this.marginMs = options.deadlineMarginMs ?? 250;
    if (!(this.marginMs >= 0)) throw new RangeError(`deadlineMarginMs must be >= 0, got ${this.marginMs}`);
  }

  /** Renders the request, checks the destination, calls it once and reports the outcome. */
  async do(ctx: ExecuteContext): Promise<Resource> {
    let task: WebhookTask | undefined;
    try {
      task = readWebhookTask(ctx.template, webhookRender(ctx.inputs), {
        allowed: this.secretNames,
        source: this.secretSource,
        connection: ctx.connection,
      });
      const url = parseWebhookUrl(task.url);
      const { timeoutMs, byDeadline } = this.timeout(task.timeoutSec, ctx.deadline);
      if (timeoutMs <= 0) {
        return { phase: Phase.RETRYABLE_FAILED, message: "the call's deadline left no time to call the webhook" };
      }
      const request = buildRequest(task.method, url, task.headers, task.data);
      const started = Date.now();
      let answer: Awaited<ReturnType<typeof sendRequest>>;
      try {
        answer = await observeWebhookCall(
          () => sendRequest(request, this.policy, { timeoutMs, maxResponseBytes: this.maxResponseBytes, signal: ctx.signal }),
          ctx.signal,
        );
      } catch (err) {
        if (err instanceof WebhookCallError && byDeadline && /within \d+ ms/.test(err.message)) {
          throw new WebhookCallError(`${err.message} (the call's deadline; timeout_sec asked ${task.timeoutSec} s)`, true);
        }
        throw err;
      }
      ctx.log.info({ host: url.host, method: task.method, status: answer.status, ms: Date.now() - started }, "webhook called");
      const body = redactValues(answer.body, task.secretValues);
      if (answer.status >= 200 && answer.status < 300) {
        const info: Record<string, unknown> = { status_code: answer.status, response_data: body };
        if (task.showData) info.input_data = task.data;
        if (task.showUrl) info.url = task.url;
        return { phase: Phase.SUCCEEDED, message: SUCCESS_MESSAGE, outputs: webhookOutputs(ctx.template, info) };
      }
      const quoted = body.length > QUOTED_BODY_CHARS ? `${body.slice(0, QUOTED_BODY_CHARS)}...` : body;
      const redirect = answer.status >= 300 && answer.status < 400 ? " (redirects are not followed)" : "";
      return {
        phase: RETRYABLE_STATUSES.has(answer.status) ? Phase.RETRYABLE_FAILED : Phase.FAILED,
        message: `Webhook failed with status code ${answer.status}${redirect}, response: ${quoted}`,
      };
    } catch (err) {
      const secrets = task?.secretValues ?? [];
      if (err instanceof WebhookTaskError || err instanceof DestinationRefused) {
        ctx.log.warn({ reason: redactValues(err.message, secrets) }, "webhook refused");
        return { phase: Phase.FAILED, message: redactValues(err.message, secrets) };
      }
      if (err instanceof WebhookCallError) {
        ctx.log.warn({ reason: redactValues(err.message, secrets), retryable: err.retryable }, "webhook call failed");
        return { phase: err.retryable ? Phase.RETRYABLE_FAILED : Phase.FAILED, message: redactValues(err.message, secrets) };
      }
      throw err;
    }
  }

  /** The request's timeout: `timeout_sec`, at most the agent's cap and the time left before the call's deadline. */
  private timeout(timeoutSec: number, deadline: Date | undefined): { timeoutMs: number; byDeadline: boolean } {
    const asked = Math.min(timeoutSec * 1000, this.maxTimeoutMs);
    if (!deadline) return { timeoutMs: Math.round(asked), byDeadline: false };
    const left = deadline.getTime() - Date.now() - this.marginMs;
    return left < asked ? { timeoutMs: Math.floor(left), byDeadline: true } : { timeoutMs: Math.round(asked), byDeadline: false };
  }
}
