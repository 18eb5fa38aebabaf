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

/** Time kept back before the RPC deadline, so the agent answers instead of the deadline firing. */
export function deadlineMargin(remainingMs: number): number {
  return Math.min(1000, Math.max(100, remainingMs / 10));
}

class OutOfTime extends Error {}

/** Resolves with `work`, or rejects with OutOfTime at `giveUpAt` (epoch ms). */
function before<T>(work: Promise<T>, giveUpAt: number | undefined): Promise<T> {
  if (giveUpAt === undefined) return work;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new OutOfTime()), Math.max(0, giveUpAt - Date.now()));
  });
  work.catch(() => undefined); // a late failure after giving up is not unhandled
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Runs `call` until it succeeds, fails with a non-transient error (thrown as is, classified),
 * or has failed transiently `policy.attempts` times ({@link RetriesExhausted}). Waits grow
 * exponentially and stop early when `signal` fires. Google's own retries are switched off, so
 * the number of API requests is exactly the number of attempts.
 *
 * With a `deadline` (the RPC's), it gives up shortly before it ({@link deadlineMargin}) with
 * RetriesExhausted, so that the caller can still answer.
 */
export async function withRetry<T>(
  call: () => Promise<T>,
  policy: RetryPolicy,
  signal: AbortSignal,
  deadline?: Date,
): Promise<T> {
  const giveUpAt = deadline ? deadline.getTime() - deadlineMargin(deadline.getTime() - Date.now()) : undefined;
  let delay = policy.initialDelayMs;
  let last: BigQueryApiError | undefined;
  for (let attempt = 1; ; attempt++) {
    try {
      return await before(call(), giveUpAt);
    } catch (raw) {
      if (signal.aborted) throw signal.reason;
      if (raw instanceof OutOfTime) {
        throw new RetriesExhausted(
          last ?? new BigQueryApiError("no answer before the call's deadline", undefined, undefined, true),
          attempt,
        );
      }
      const err = toApiError(raw);
      if (!err.transient) throw err;
      last = err;
      const wait = Math.min(delay, policy.maxDelayMs);
      if (attempt >= policy.attempts || (giveUpAt !== undefined && Date.now() + wait >= giveUpAt)) {
        throw new RetriesExhausted(err, attempt);
      }
      await pause(wait, signal);
      delay *= 2;
    }
  }
}
