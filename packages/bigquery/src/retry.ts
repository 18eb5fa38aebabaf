import { RetriesExhausted, type RetryPolicy, retry } from "@flyte-agent/core";
import { BigQueryApiError, toApiError } from "./api-error";

/** This plugin's retry defaults: 3 attempts, 250 ms doubling up to 2 s. */
export const BIGQUERY_RETRY_DEFAULTS: RetryPolicy = {
  maxAttempts: 3,
  baseDelayMs: 250,
  maxDelayMs: 2_000,
  maxRetryAfterMs: 5_000,
};

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
  return retry(
    ({ remainingMs }) =>
      within(call(), remainingMs).catch((err: unknown) => {
        throw toApiError(err);
      }),
    {
      policy,
      signal,
      deadline,
      marginMs: deadline ? deadlineMargin(deadline.getTime() - Date.now()) : 0,
      shouldRetry: (err) => ({ retry: err instanceof BigQueryApiError && err.transient }),
    },
  );
}

/** The failure that made {@link withRetry} give up, as a BigQuery API error. */
export function lastFailure(err: RetriesExhausted): BigQueryApiError {
  return err.last instanceof BigQueryApiError
    ? err.last
    : new BigQueryApiError("no answer before the call's deadline", undefined, undefined, true);
}

export { RetriesExhausted };
