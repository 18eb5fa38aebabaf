import { InvalidMetaError } from "./errors";

/** Largest resource_meta accepted on GetTask/DeleteTask. Propeller stores it in etcd. */
export const MAX_RESOURCE_META_BYTES = 64 * 1024;

/**
 * How an agent's resource metadata becomes the opaque `resource_meta` bytes and back.
 * `decode` must throw {@link InvalidMetaError} for bytes that are not a valid Meta.
 */
export interface MetaCodec<Meta> {
  encode(meta: Meta): Uint8Array;
  decode(bytes: Uint8Array): Meta;
}

/**
 * The default codec: compact JSON. `validate` receives the parsed value and returns it typed,
 * or throws (any error becomes INVALID_ARGUMENT with its message).
 */
export function jsonMetaCodec<Meta>(validate: (value: unknown) => Meta): MetaCodec<Meta> {
  return {
    encode(meta) {
      return Buffer.from(JSON.stringify(meta), "utf8");
    },
    decode(bytes) {
      let value: unknown;
      try {
        value = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8"));
      } catch {
        throw new InvalidMetaError("resource_meta is not valid JSON");
      }
      try {
        return validate(value);
      } catch (err) {
        if (err instanceof InvalidMetaError) throw err;
        throw new InvalidMetaError(`resource_meta is invalid: ${(err as Error).message}`);
      }
    },
  };
}

/** The JSON type names {@link expectMetaFields} checks. */
export type MetaFieldType = "string" | "number" | "boolean" | "object" | "string?" | "number?" | "boolean?" | "object?";

/**
 * A small validator for JSON metadata: checks that `value` is an object whose fields have the
 * given types (a trailing `?` makes a field optional) and returns it typed.
 *
 * @example
 *   decodeMeta = jsonMetaCodec((v) => expectMetaFields<MyMeta>(v, { jobId: "string", startedAt: "number" }))
 */
export function expectMetaFields<Meta>(value: unknown, fields: Readonly<Record<keyof Meta & string, MetaFieldType>>): Meta {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new InvalidMetaError("resource_meta must be a JSON object");
  }
  const record = value as Record<string, unknown>;
  for (const [field, spec] of Object.entries<MetaFieldType>(fields)) {
    const optional = spec.endsWith("?");
    const type = optional ? spec.slice(0, -1) : spec;
    const actual = record[field];
    if (actual === undefined || actual === null) {
      if (optional) continue;
      throw new InvalidMetaError(`resource_meta is missing field "${field}" (was it made by another agent?)`);
    }
    const actualType = Array.isArray(actual) ? "array" : typeof actual;
    if (actualType !== type) {
      throw new InvalidMetaError(`resource_meta field "${field}" must be a ${type}, got ${actualType}`);
    }
  }
  return value as Meta;
}
