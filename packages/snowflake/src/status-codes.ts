/**
 * The gRPC status codes this plugin raises (values fixed by the gRPC spec), so the plugin needs
 * no runtime dependency on a gRPC library. Replaceable by core's `StatusCode` once it exports one.
 */
export const GrpcCode = {
  INVALID_ARGUMENT: 3,
  PERMISSION_DENIED: 7,
  FAILED_PRECONDITION: 9,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;
