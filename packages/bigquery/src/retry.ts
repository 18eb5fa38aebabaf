import type { RetryOptions } from "./types";
import { BigQueryApiError, toApiError } from "./api-error";

/** Retry settings with defaults applied. */
export interface RetryPolicy {
  attempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
}

/** Applies the defaults of {@link RetryOptions}. */
export function retryPolicy(options: RetryOptions = {}): RetryPolicy {
  return {
    attempts: Math.max(1, Math.floor(options.attempts ?? 3)),
    initialDelayMs: Math.max(0, options.initialDelayMs ?? 250),
    maxDelayMs: Math.max(0, options.maxDelayMs ?? 2000),
  };
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0) return signal.aborted ? Promise.reject(signal.reason) : Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** The outcome of {@link withRetry}'s last attempt, with how many attempts were made. */
export class RetriesExhausted extends BigQueryApiError {
  constructor(
    readonly last: BigQueryApiError,
    readonly attempts: number,
  ) {
    super(last.message, last.httpStatus, last.reason, true);
  }
}

/**
 * Runs `call` until it succeeds, fails with a non-transient error (thrown as is, classified),
 * or has failed transiently `policy.attempts` times ({@link RetriesExhausted}). Waits grow
 * exponentially and stop early when `signal` fires. Google's own retries are switched off, so
 * the number of API requests is exactly the number of attempts.
 */
export async function withRetry<T>(call: () => Promise<T>, policy: RetryPolicy, signal: AbortSignal): Promise<T> {
  let delay = policy.initialDelayMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (raw) {
      if (signal.aborted) throw signal.reason;
      const err = toApiError(raw);
      if (!err.transient) throw err;
      if (attempt >= policy.attempts) throw new RetriesExhausted(err, attempt);
      await pause(Math.min(delay, policy.maxDelayMs), signal);
      delay *= 2;
    }
  }
}
