/**
 * The gRPC status codes this plugin raises (values fixed by the gRPC spec), so the plugin needs
 * no runtime dependency on a gRPC library.
 */
export const GrpcCode = {
  PERMISSION_DENIED: 7,
  FAILED_PRECONDITION: 9,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;
