import {
  type ExternalRetryReason,
  RetriesExhausted,
  type RetryPolicy,
  observeExternalCall,
  observeExternalFailure,
  observeExternalRetry,
  retry,
} from "@flyte-agent/core";
import { BigQueryApiError, toApiError } from "./api-error";

/** This plugin's retry defaults: 3 attempts, 250 ms doubling up to 2 s. */
export const BIGQUERY_RETRY_DEFAULTS: RetryPolicy = {
  maxAttempts: 3,
  baseDelayMs: 250,
  maxDelayMs: 2_000,
  maxRetryAfterMs: 5_000,
};

/** The service name of this plugin's external API metrics (`flyte_agent_external_*{service="BigQuery"}`). */
export const METRICS_SERVICE = "BigQuery";

/** BigQuery's reasons for refusing a request for rate or quota (answered with HTTP 403). */
function isRateLimitReason(reason: string | undefined): boolean {
  return reason === "rateLimitExceeded" || reason === "userRateLimitExceeded";
}

/** Why an attempt is tried again, for the retry metric (a rate-limit refusal counts as `429`). */
function retryReason(err: unknown): ExternalRetryReason {
  const status = err instanceof BigQueryApiError ? err.httpStatus : undefined;
  if (status === 429 || (err instanceof BigQueryApiError && isRateLimitReason(err.reason))) return "429";
  return status !== undefined && status >= 500 ? "5xx" : "network_error";
}

/** Time kept back before the RPC deadline, so the agent answers instead of the deadline firing. */
export function deadlineMargin(remainingMs: number): number {
  return Math.min(1000, Math.max(100, remainingMs / 10));
}

/** Resolves with `work`, or rejects with a transient "no answer" error after `ms`. */
function within<T>(work: Promise<T>, ms: number): Promise<T> {
  if (!Number.isFinite(ms)) return work;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new BigQueryApiError("no answer before the call's deadline", undefined, undefined, true)),
      Math.max(0, ms),
    );
  });
  work.catch(() => undefined); // a late failure after giving up is not unhandled
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Runs one BigQuery API call with core's {@link retry}: transient failures (408, 429, 5xx,
 * network errors) are tried again with backoff, anything else is thrown as a classified
 * {@link BigQueryApiError}, and exhaustion is core's {@link RetriesExhausted} (see
 * {@link lastFailure}). Google's own retries are switched off, so the number of API requests is
 * exactly the number of attempts. With a `deadline` (the RPC's) it gives up shortly before it,
 * so that the caller can still answer.
 */
export function withRetry<T>(call: () => Promise<T>, policy: RetryPolicy, signal: AbortSignal, deadline?: Date): Promise<T> {
  // Google's client makes the HTTP requests itself: each attempt is counted here with core's
  // external API metrics (a call that resolved is a 2xx answer, counted as 200).
  return retry(
    ({ remainingMs }) => {
      const started = performance.now();
      const seconds = () => (performance.now() - started) / 1000;
      return within(call(), remainingMs).then(
        (value) => {
          observeExternalCall(METRICS_SERVICE, { status: 200, seconds: seconds() });
          return value;
        },
        (err: unknown) => {
          const apiError = toApiError(err);
          observeExternalCall(METRICS_SERVICE, {
            status: apiError.httpStatus,
            seconds: seconds(),
            throttled: apiError.httpStatus === 429 || isRateLimitReason(apiError.reason),
          });
          throw apiError;
        },
      );
    },
    {
      policy,
      signal,
      deadline,
      marginMs: deadline ? deadlineMargin(deadline.getTime() - Date.now()) : 0,
      shouldRetry: (err) => ({ retry: err instanceof BigQueryApiError && err.transient }),
      onRetry: ({ error }) => observeExternalRetry(METRICS_SERVICE, retryReason(error)),
    },
  ).catch((err: unknown) => {
    if (err instanceof RetriesExhausted) observeExternalFailure(METRICS_SERVICE);
    throw err;
  });
}

/** The failure that made {@link withRetry} give up, as a BigQuery API error. */
export function lastFailure(err: RetriesExhausted): BigQueryApiError {
  return err.last instanceof BigQueryApiError
    ? err.last
    : new BigQueryApiError("no answer before the call's deadline", undefined, undefined, true);
}

export { RetriesExhausted };
