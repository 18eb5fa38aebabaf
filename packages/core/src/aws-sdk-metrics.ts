import {
  type ExternalRetryReason,
  observeExternalCall,
  observeExternalFailure,
  observeExternalRetry,
} from "./operations-metrics";

/** A middleware of the AWS SDK v3 (`(next, context) => handler`), typed without the SDK. */
type AwsMiddleware = (next: (args: unknown) => Promise<unknown>, context: object) => (args: unknown) => Promise<unknown>;

/** How this module calls the public `middlewareStack.add` of an AWS SDK v3 client. */
interface AwsMiddlewareStack {
  add(middleware: AwsMiddleware, options: { step: "initialize" | "deserialize"; priority: "high"; name: string }): void;
}

/**
 * An AWS SDK v3 client, as far as this module needs it: its public `middlewareStack` (typed
 * loosely here, so that any SDK client with its own input and output types fits).
 */
export interface AwsMiddlewareClient {
  readonly middlewareStack: { add(middleware: never, options: never): void };
}

/** How one attempt ended: with a retry reason when the SDK's standard strategy may try it again. */
interface AttemptOutcome {
  readonly retryReason?: ExternalRetryReason;
}

/** Error codes the SDK's retry strategy treats as throttling (answered with 400 or 503 by most AWS services). */
const THROTTLING_CODES = new Set([
  "BandwidthLimitExceeded",
  "EC2ThrottledException",
  "LimitExceededException",
  "PriorRequestNotComplete",
  "ProvisionedThroughputExceededException",
  "RequestLimitExceeded",
  "RequestThrottled",
  "RequestThrottledException",
  "SlowDown",
  "ThrottledException",
  "Throttling",
  "ThrottlingException",
  "TooManyRequestsException",
  "TransactionInProgressException",
]);

interface SdkError {
  name?: unknown;
  Code?: unknown;
  $metadata?: { httpStatusCode?: unknown };
  $response?: { statusCode?: unknown };
  $retryable?: { throttling?: unknown };
}

function statusOf(err: unknown): number | undefined {
  const e = (typeof err === "object" && err !== null ? err : {}) as SdkError;
  const status = e.$metadata?.httpStatusCode ?? e.$response?.statusCode;
  return typeof status === "number" ? status : undefined;
}

/** Why a failed attempt may be tried again (throttling counts as `429`), or nothing when it is not retryable. */
function retryReason(err: unknown, status: number | undefined): ExternalRetryReason | undefined {
  const e = (typeof err === "object" && err !== null ? err : {}) as SdkError;
  const code = typeof e.name === "string" ? e.name : typeof e.Code === "string" ? e.Code : "";
  if (status === 429 || THROTTLING_CODES.has(code) || e.$retryable?.throttling === true) return "429";
  if (status !== undefined) return status >= 500 ? "5xx" : undefined;
  // No answer: a network failure or timeout, unless the caller cancelled the request.
  return code === "AbortError" ? undefined : "network_error";
}

/** Attempts of each request in flight, by the SDK's per-request context object. */
const attemptsByRequest = new WeakMap<object, AttemptOutcome[]>();

/**
 * Counts every HTTP request of an AWS SDK v3 client in core's external API metrics (see
 * `operations-metrics.ts`), through the client's public middleware stack:
 *
 * - each attempt (`flyte_agent_external_requests_total{service,code}` and its duration), by the
 *   HTTP status AWS answered (`network_error` when none came), from a middleware in the
 *   `deserialize` step, which runs once per attempt inside the SDK's retry middleware; a
 *   throttling answer (HTTP 429 or a throttling error code, whatever its status) also counts in
 *   `flyte_agent_external_throttled_total`;
 * - each attempt the SDK tried again (`flyte_agent_external_retries_total`), by reason: `429`
 *   for throttling (HTTP 429 or a throttling error code such as `ThrottlingException` or S3's
 *   `SlowDown`), `5xx`, `network_error`;
 * - each request whose last attempt was still one of those (`flyte_agent_external_failures_total`),
 *   from a middleware in the `initialize` step, which sees the whole request.
 *
 * Call it once per client, right after creating it.
 *
 * @param service the external system's name for the `service` label (e.g. "SageMaker", "S3")
 */
export function observeAwsSdkClient(client: AwsMiddlewareClient, service: string): void {
  const stack = client.middlewareStack as unknown as AwsMiddlewareStack;
  stack.add(
    (next, context) => async (args) => {
      const attempts: AttemptOutcome[] = [];
      attemptsByRequest.set(context, attempts);
      const countRetries = () => {
        // (An attempt without a retry reason that was followed by another was sent again by
        // something else than the retry strategy, e.g. S3's region redirect: not a retry.)
        for (const attempt of attempts.slice(0, -1)) {
          if (attempt.retryReason !== undefined) observeExternalRetry(service, attempt.retryReason);
        }
      };
      try {
        const result = await next(args);
        countRetries();
        return result;
      } catch (err) {
        countRetries();
        if (attempts.at(-1)?.retryReason !== undefined) observeExternalFailure(service);
        throw err;
      } finally {
        attemptsByRequest.delete(context);
      }
    },
    { step: "initialize", priority: "high", name: "flyteAgentExternalRequestMetrics" },
  );
  stack.add(
    (next, context) => async (args) => {
      const started = performance.now();
      try {
        const result = await next(args);
        const status = (result as { response?: { statusCode?: unknown } } | undefined)?.response?.statusCode;
        observeExternalCall(service, {
          status: typeof status === "number" ? status : undefined,
          seconds: (performance.now() - started) / 1000,
        });
        attemptsByRequest.get(context)?.push({});
        return result;
      } catch (err) {
        const status = statusOf(err);
        const reason = retryReason(err, status);
        observeExternalCall(service, { status, seconds: (performance.now() - started) / 1000, throttled: reason === "429" });
        attemptsByRequest.get(context)?.push({ retryReason: reason });
        throw err;
      }
    },
    { step: "deserialize", priority: "high", name: "flyteAgentExternalAttemptMetrics" },
  );
}
