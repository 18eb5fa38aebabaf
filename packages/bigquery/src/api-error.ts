/** A failed call to the BigQuery API, reduced to what the agent decides on. */
export class BigQueryApiError extends Error {
  constructor(
    message: string,
    /** HTTP status, when the API answered. */
    readonly httpStatus: number | undefined,
    /** BigQuery's error reason (`notFound`, `duplicate`, `rateLimitExceeded`, ...). */
    readonly reason: string | undefined,
    /** True for failures worth retrying: 408, 429, 5xx, rate limits, network errors. */
    readonly transient: boolean,
  ) {
    super(message);
    this.name = "BigQueryApiError";
  }
}

const TRANSIENT_REASONS = new Set(["rateLimitExceeded", "userRateLimitExceeded", "backendError", "internalError"]);
const NETWORK_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EPIPE",
  "EAI_AGAIN",
  "ENOTFOUND",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "UND_ERR_SOCKET",
]);

interface ErrorShape {
  code?: unknown;
  type?: unknown;
  message?: unknown;
  errors?: Array<{ reason?: unknown; message?: unknown }>;
}

/** Classifies whatever Google's client threw (ApiError with `code`/`errors`, or a network error). */
export function toApiError(err: unknown): BigQueryApiError {
  if (err instanceof BigQueryApiError) return err;
  const e = (typeof err === "object" && err !== null ? err : {}) as ErrorShape;
  const message = (typeof e.message === "string" && e.message) || String(err);
  const firstLine = message.split("\n", 1)[0] ?? message;
  const reasons = (Array.isArray(e.errors) ? e.errors : [])
    .map((x) => x?.reason)
    .filter((r): r is string => typeof r === "string");
  if (typeof e.code === "number") {
    const status = e.code;
    const transient = status === 408 || status === 429 || status >= 500 || reasons.some((r) => TRANSIENT_REASONS.has(r));
    const details = Array.isArray(e.errors) ? e.errors.map((x) => x?.message).find((m) => typeof m === "string") : undefined;
    return new BigQueryApiError(typeof details === "string" && details ? details : firstLine, status, reasons[0], transient);
  }
  const network =
    (typeof e.code === "string" && NETWORK_CODES.has(e.code)) ||
    e.type === "system" ||
    e.type === "request-timeout" ||
    /socket hang up|network|timeout/i.test(firstLine);
  return new BigQueryApiError(firstLine, undefined, undefined, network);
}
