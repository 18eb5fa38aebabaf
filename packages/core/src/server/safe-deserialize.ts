import type { ServiceDefinition } from "@grpc/grpc-js";

/** Key under which a request that could not be decoded carries the decoder's message. */
export const DECODE_ERROR = Symbol("flyte-agent.decode-error");
/** Key under which every decoded request carries its encoded size in bytes. */
export const REQUEST_BYTES = Symbol("flyte-agent.request-bytes");

/** A decoded request, or the marker of one that failed to decode. */
export type Decoded<T> = T & { [DECODE_ERROR]?: string; [REQUEST_BYTES]?: number };

/**
 * Wraps a generated service definition so that a request that cannot be decoded becomes a
 * marked object instead of an exception (grpc-js would answer INTERNAL); handlers answer
 * INVALID_ARGUMENT for it. Also records each request's encoded size.
 */
export function withSafeDeserialize<S extends ServiceDefinition>(definition: S): S {
  const out: Record<string, unknown> = {};
  for (const [name, method] of Object.entries(definition)) {
    const decode = method.requestDeserialize;
    out[name] = {
      ...method,
      requestDeserialize(buffer: Buffer) {
        try {
          const value = decode(buffer) as Record<symbol, unknown>;
          value[REQUEST_BYTES] = buffer.length;
          return value;
        } catch (err) {
          return { [DECODE_ERROR]: err instanceof Error ? err.message : String(err), [REQUEST_BYTES]: buffer.length };
        }
      },
    };
  }
  return out as S;
}
