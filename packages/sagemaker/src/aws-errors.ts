import { redactValues } from "@flyte-agent/core";

/** What went wrong in one AWS call, in the terms the agents answer with. */
export type AwsFailureKind =
  /** Still throttled, 5xx or unreachable when the retries or the call's time ran out. */
  | "unavailable"
  /** The signature or the credentials were refused. */
  | "unauthenticated"
  /** The role may not do this. */
  | "denied"
  /** `Cannot create already existing ...`. */
  | "exists"
  /** `Could not find ...` / `... not found`. */
  | "missing"
  /** `ResourceLimitExceeded`. */
  | "quota"
  /** The request was refused as invalid (validation, serialization). */
  | "invalid"
  /** Any other refusal (e.g. a model error of InvokeEndpoint). */
  | "refused";

/** A classified AWS error: kind, AWS error code, HTTP status and a message safe to show. */
export interface AwsFailure {
  kind: AwsFailureKind;
  code: string;
  status?: number;
  /** AWS's message, cut at signature details and with credentials removed. */
  message: string;
}

const UNAUTHENTICATED = new Set([
  "UnrecognizedClientException",
  "InvalidSignatureException",
  "IncompleteSignatureException",
  "MissingAuthenticationTokenException",
  "InvalidClientTokenId",
  "ExpiredTokenException",
  "ExpiredToken",
  "CredentialsProviderError",
]);
const DENIED = new Set(["AccessDeniedException", "AccessDenied", "NotAuthorized"]);
const INVALID = new Set([
  "ValidationException",
  "ValidationError",
  "SerializationException",
  "InvalidParameterValue",
  "MissingParameter",
]);
const UNAVAILABLE_NAMES = new Set(["AbortError", "TimeoutError", "RequestTimeout", "RequestTimeoutException"]);

/** Longest AWS message kept. */
const MAX_MESSAGE = 1_000;

/**
 * Turns an error thrown by an SDK v3 call into an {@link AwsFailure}. `secrets` (the current
 * credentials' values) are removed from the message, and so is everything from the point where
 * AWS starts to print the canonical request of a refused signature (it lists signed headers,
 * including a session token).
 */
export function classifyAwsError(err: unknown, secrets: readonly string[] = []): AwsFailure {
  const e = (typeof err === "object" && err !== null ? err : { message: String(err) }) as {
    name?: string;
    code?: string;
    message?: string;
    $fault?: string;
    $metadata?: { httpStatusCode?: number };
  };
  const code = e.name && e.name !== "Error" ? e.name : (e.code ?? "Error");
  const status = e.$metadata?.httpStatusCode;
  let message = String(e.message ?? code);
  const cut = message.search(/The Canonical String|The String-to-Sign|Canonical request/i);
  if (cut >= 0) message = message.slice(0, cut).trim();
  message = redactValues(message, secrets).slice(0, MAX_MESSAGE);
  const failure = (kind: AwsFailureKind): AwsFailure => ({ kind, code, status, message });

  if (
    UNAVAILABLE_NAMES.has(code) ||
    e.code === "ECONNREFUSED" ||
    e.code === "ECONNRESET" ||
    e.code === "ETIMEDOUT" ||
    e.code === "EPIPE"
  )
    return failure("unavailable");
  if (
    code === "ThrottlingException" ||
    code === "Throttling" ||
    code === "TooManyRequestsException" ||
    code === "ModelNotReadyException"
  )
    return failure("unavailable");
  if (e.$fault === "server" || (status !== undefined && status >= 500)) return failure("unavailable");
  if (UNAUTHENTICATED.has(code) || status === 401) return failure("unauthenticated");
  if (DENIED.has(code) || status === 403) return failure("denied");
  if (code === "ResourceLimitExceeded") return failure("quota");
  if (code === "ResourceNotFound" || code === "ResourceNotFoundException") return failure("missing");
  if (INVALID.has(code)) {
    if (message.includes("Cannot create already existing")) return failure("exists");
    if (/Could not find|not found/i.test(message)) return failure("missing");
    return failure("invalid");
  }
  if (status === undefined && !e.$fault) return failure("unavailable");
  return failure("refused");
}

/** The first ARN in an AWS message (an "already existing" refusal names the resource's ARN). */
export function arnInMessage(message: string): string | undefined {
  return /arn:aws[a-z-]*:[a-zA-Z0-9-]+:[a-zA-Z0-9-]*:\d*:[a-zA-Z0-9\-/._:]+/.exec(message)?.[0];
}
