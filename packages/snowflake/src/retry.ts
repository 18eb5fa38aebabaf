/**
 * Generic waiting helpers (abortable sleep, exponential back-off, Retry-After). Kept in one
 * file so they can be swapped for core's own helpers.
 */

/** Bounds of the retries of one SQL API request (429, 5xx and network errors). */
export interface RetryPolicy {
  /** Attempts in total, the first one included. */
  readonly maxAttempts: number;
  /** First back-off, doubled after each attempt. */
  readonly baseDelayMs: number;
  /** Largest back-off. */
  readonly maxDelayMs: number;
  /** A Retry-After longer than this is not waited for: the call gives up at once. */
  readonly maxRetryAfterMs: number;
}

/** Back-off before attempt `attempt + 1`: exponential, capped, with jitter in its upper half. */
export function backoffMs(policy: RetryPolicy, attempt: number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}

/**
 * Reads an HTTP `Retry-After` header (seconds, or an HTTP date) as milliseconds from now.
 * Returns undefined when it is absent or unreadable.
 */
export function parseRetryAfter(header: unknown, now = Date.now()): number | undefined {
  if (typeof header !== "string") return undefined;
  const text = header.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
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
