/**
 * The gRPC status codes (values fixed by the gRPC specification), so that a plugin can choose
 * the status of an {@link AgentError} without depending on a gRPC library.
 *
 * @example
 *   throw new AgentError(StatusCode.UNAVAILABLE, "the warehouse is not answering; try again later");
 */
export const StatusCode = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;

/** One of the numeric gRPC status codes of {@link StatusCode}. */
export type StatusCode = (typeof StatusCode)[keyof typeof StatusCode];
