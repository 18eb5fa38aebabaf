import { sleep } from "./sleep";

/**
 * How a plugin retries a failing call to its external system inside one agent call. Every
 * plugin uses these names for its `retry` option.
 */
export interface RetryOptions {
  /** Attempts per call, the first one included. */
  maxAttempts?: number;
  /** Back-off ceiling before the second attempt, in ms; doubles per attempt (with jitter). */
  baseDelayMs?: number;
  /** Longest back-off between two attempts, in ms. */
  maxDelayMs?: number;
  /**
   * Longest `Retry-After` the call waits for, in ms. A longer one ends the retries at once
   * (the agent answers now and propeller asks again later).
   */
  maxRetryAfterMs?: number;
}

/** {@link RetryOptions} with every value filled in (see {@link retryPolicy}). */
export type RetryPolicy = Readonly<Required<RetryOptions>>;

/** Defaults of {@link retryPolicy}: 3 attempts, 250 ms doubling up to 2 s, Retry-After up to 5 s. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 250, maxDelayMs: 2_000, maxRetryAfterMs: 5_000 };

/**
 * Fills in the options a user left out from `defaults` (a plugin passes its own) and checks
 * them: every value a finite number >= 0, `maxAttempts` a whole number >= 1. Throws a
 * RangeError naming the option (`retry.maxAttempts must be ...`).
 */
export function retryPolicy(options: RetryOptions = {}, defaults: RetryPolicy = DEFAULT_RETRY_POLICY): RetryPolicy {
  const policy: Required<RetryOptions> = {
    maxAttempts: options.maxAttempts ?? defaults.maxAttempts,
    baseDelayMs: options.baseDelayMs ?? defaults.baseDelayMs,
    maxDelayMs: options.maxDelayMs ?? defaults.maxDelayMs,
    maxRetryAfterMs: options.maxRetryAfterMs ?? defaults.maxRetryAfterMs,
  };
  for (const [name, value] of Object.entries(policy)) {
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
      throw new RangeError(`retry.${name} must be a number >= 0, got ${String(value)}`);
    }
  }
  if (!Number.isInteger(policy.maxAttempts) || policy.maxAttempts < 1) {
    throw new RangeError(`retry.maxAttempts must be a whole number >= 1, got ${policy.maxAttempts}`);
  }
  return policy;
}

/**
 * The wait before attempt `attempt + 1` (attempt counts from 1): exponential
 * (`baseDelayMs * 2^(attempt-1)`), capped at `maxDelayMs`, with jitter in the upper half so that
 * many callers failing together do not retry together. `random` returns a number in [0, 1).
 */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/**
 * Reads an HTTP `Retry-After` header (delay in seconds, or an HTTP date) as milliseconds from
 * `now`. Returns undefined when the header is absent or unreadable; a date in the past is 0.
 */
export function parseRetryAfter(header: string | undefined | null, now: number = Date.now()): number | undefined {
  if (header === undefined || header === null) return undefined;
  const text = header.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** What {@link retry} does after a failed attempt: give up (rethrow the error), or try again. */
export type RetryVerdict =
  | { readonly retry: false }
  /** Try again; after `retryAfterMs` when the service said when (its `Retry-After`), else after the back-off. */
  | { readonly retry: true; readonly retryAfterMs?: number };

/** What one attempt of {@link retry} is told. */
export interface AttemptInfo {
  /** 1 for the first attempt. */
  readonly attempt: number;
  /** Milliseconds left until the retries must end (`Infinity` without a deadline): bound the request's timeout by it. */
  readonly remainingMs: number;
}

/** Settings of one {@link retry} loop. */
export interface RetryLoopOptions {
  /** Attempts and waits (see {@link retryPolicy}). */
  readonly policy: RetryPolicy;
  /** Decides, per failure, whether to try again. Anything it rejects is rethrown as is. */
  readonly shouldRetry: (error: unknown, attempt: number) => RetryVerdict;
  /** Aborts the wait between attempts (the loop then rejects with the signal's reason). */
  readonly signal?: AbortSignal;
  /** No attempt starts, and no wait ends, after `deadline - marginMs` (the agent must still answer). */
  readonly deadline?: Date;
  /** Time kept free before `deadline`, in ms. @default 0 */
  readonly marginMs?: number;
  /** Called before each wait (for a debug log line). */
  readonly onRetry?: (info: { attempt: number; waitMs: number; error: unknown }) => void;
}

/** Why {@link retry} stopped trying. */
export type RetriesExhaustedReason = "attempts" | "deadline" | "retry-after";

/**
 * {@link retry} gave up on a failure worth retrying: the attempts ran out, the deadline came
 * too close, or the service asked for a wait longer than `maxRetryAfterMs`.
 */
export class RetriesExhausted extends Error {
  constructor(
    /** The last failure (undefined when the deadline left no time for a first attempt). */
    readonly last: unknown,
    /** Attempts made. */
    readonly attempts: number,
    /** Why it stopped. */
    readonly reason: RetriesExhaustedReason,
  ) {
    super(
      `${last instanceof Error ? last.message : last === undefined ? "no attempt fit before the deadline" : String(last)} (after ${attempts} attempt${attempts === 1 ? "" : "s"})`,
    );
    this.name = "RetriesExhausted";
  }
}

/**
 * Runs `call` until it succeeds, fails in a way `shouldRetry` rejects (that error is rethrown),
 * or the retries end with {@link RetriesExhausted}: after `policy.maxAttempts` attempts, when
 * the next wait would pass the deadline, or when a `Retry-After` is longer than
 * `policy.maxRetryAfterMs`. Waits follow {@link backoffDelay} unless the service named one.
 */
export async function retry<T>(call: (info: AttemptInfo) => Promise<T>, options: RetryLoopOptions): Promise<T> {
  const { policy, signal } = options;
  const endBy = options.deadline ? options.deadline.getTime() - (options.marginMs ?? 0) : Number.POSITIVE_INFINITY;
  let last: unknown;
  for (let attempt = 1; ; attempt++) {
    const remainingMs = endBy - Date.now();
    if (remainingMs <= 0) throw new RetriesExhausted(last, attempt - 1, "deadline");
    if (signal?.aborted) throw signal.reason;
    try {
      return await call({ attempt, remainingMs });
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      const verdict = options.shouldRetry(error, attempt);
      if (!verdict.retry) throw error;
      last = error;
      if (verdict.retryAfterMs !== undefined && verdict.retryAfterMs > policy.maxRetryAfterMs) {
        throw new RetriesExhausted(error, attempt, "retry-after");
      }
      if (attempt >= policy.maxAttempts) throw new RetriesExhausted(error, attempt, "attempts");
      const waitMs = verdict.retryAfterMs ?? backoffDelay(policy, attempt);
      if (Date.now() + waitMs >= endBy) throw new RetriesExhausted(error, attempt, "deadline");
      options.onRetry?.({ attempt, waitMs, error });
      await sleep(waitMs, signal);
    }
  }
}
