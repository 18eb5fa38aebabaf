import {
  type ExternalRetryReason,
  observeExternalCall,
  observeExternalFailure,
  observeExternalRetry,
} from "./operations-metrics";
import { type AttemptInfo, RetriesExhausted, type RetryPolicy, parseRetryAfter, retry } from "./retry";

/** What a plugin's HTTP client read from one answer: at least its status and headers. */
export interface HttpAnswer {
  /** The HTTP status. */
  readonly status: number;
  /** Response headers, names in lower case (as Node and axios give them). */
  readonly headers: Readonly<Record<string, unknown>>;
}

/** One attempt of an HTTP request: an answer, or a network failure described for a person. */
export type HttpAttempt<A extends HttpAnswer> = A | { readonly networkError: string };

/** Settings of {@link retryHttp}. */
export interface RetryHttpOptions<A extends HttpAnswer> {
  /** The service's name in messages, e.g. "Databricks" (`rate limited by Databricks (HTTP 429)`). */
  readonly service: string;
  /** Describes a 5xx answer, e.g. `HTTP 503: <the service's message>`. */
  readonly describe: (answer: A) => string;
  /** Attempts and waits (see `retryPolicy`). */
  readonly policy: RetryPolicy;
  /** The RPC's signal: aborts the waits between attempts. */
  readonly signal?: AbortSignal;
  /** The RPC's deadline: no attempt starts, and no wait ends, after `deadline - marginMs`. */
  readonly deadline?: Date;
  /** Time kept free before `deadline`, in ms. @default 0 */
  readonly marginMs?: number;
  /** Called before each wait (for a debug log line); `reason` says what failed. */
  readonly onRetry?: (info: { attempt: number; waitMs: number; reason: string }) => void;
}

/** What an HTTP request came to after {@link retryHttp}. */
export type RetryHttpOutcome<A extends HttpAnswer> =
  /** An answer that is not retried (anything but 429 and 5xx): the caller reads it. */
  | { readonly kind: "answer"; readonly answer: A }
  /** 429, 5xx or network failures that outlasted the retries (or the deadline). */
  | { readonly kind: "unavailable"; readonly message: string; readonly attempts: number };

/** A failure worth another attempt (a network failure, 5xx or 429 with its Retry-After). */
class RetryableHttpFailure extends Error {
  constructor(
    message: string,
    readonly reason: ExternalRetryReason,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/**
 * Sends an HTTP request to an external service with {@link retry}: a network failure, a 5xx
 * and a 429 are tried again (after the 429's `Retry-After` when it names one), any other
 * answer is returned as is. When the retries end, the outcome is `unavailable` with a message
 * saying what failed last and after how many attempts (`rate limited by Snowflake (HTTP 429,
 * retry after 30 s) (after 1 attempt)`), so the agent can answer "try later" instead of failing.
 * `send` makes one attempt; bound its timeout by `remainingMs`.
 */
export async function retryHttp<A extends HttpAnswer>(
  send: (info: AttemptInfo) => Promise<HttpAttempt<A>>,
  options: RetryHttpOptions<A>,
): Promise<RetryHttpOutcome<A>> {
  try {
    const answer = await retry(
      async (info) => {
        // Every attempt is counted per service (flyte_agent_external_* metrics, operations-metrics.ts).
        const started = performance.now();
        let result: HttpAttempt<A>;
        try {
          result = await send(info);
        } catch (err) {
          observeExternalCall(options.service, { seconds: (performance.now() - started) / 1000 });
          throw err;
        }
        const seconds = (performance.now() - started) / 1000;
        observeExternalCall(options.service, "networkError" in result ? { seconds } : { status: result.status, seconds });
        if ("networkError" in result) throw new RetryableHttpFailure(result.networkError, "network_error");
        if (result.status === 429) {
          const header = result.headers["retry-after"];
          const retryAfter = parseRetryAfter(typeof header === "string" ? header : undefined);
          const after = retryAfter !== undefined ? `, retry after ${Math.ceil(retryAfter / 1000)} s` : "";
          throw new RetryableHttpFailure(`rate limited by ${options.service} (HTTP 429${after})`, "429", retryAfter);
        }
        if (result.status >= 500)
          throw new RetryableHttpFailure(`${options.service} answered ${options.describe(result)}`, "5xx");
        return result;
      },
      {
        policy: options.policy,
        signal: options.signal,
        deadline: options.deadline,
        marginMs: options.marginMs,
        shouldRetry: (err) =>
          err instanceof RetryableHttpFailure ? { retry: true, retryAfterMs: err.retryAfterMs } : { retry: false },
        onRetry: ({ attempt, waitMs, error }) => {
          if (error instanceof RetryableHttpFailure) observeExternalRetry(options.service, error.reason);
          options.onRetry?.({ attempt, waitMs, reason: (error as Error).message });
        },
      },
    );
    return { kind: "answer", answer };
  } catch (err) {
    if (!(err instanceof RetriesExhausted)) throw err;
    observeExternalFailure(options.service);
    return { kind: "unavailable", message: err.message, attempts: err.attempts };
  }
}
