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
        const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        value = JSON.parse(buffer.toString("utf8"));
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

/** Each field type without its optional marker. */
const BASE_TYPE: Readonly<Record<MetaFieldType, string>> = {
  string: "string",
  number: "number",
  boolean: "boolean",
  object: "object",
  "string?": "string",
  "number?": "number",
  "boolean?": "boolean",
  "object?": "object",
};

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
  const specs = fields as Readonly<Record<string, MetaFieldType>>;
  // Runs on every GetTask: a for-in loop, because Object.entries allocates an array per field.
  for (const field in specs) {
    if (!Object.hasOwn(specs, field)) continue;
    const spec = specs[field]!;
    const type = BASE_TYPE[spec] ?? spec;
    const actual = record[field];
    if (actual === undefined || actual === null) {
      if (type !== spec) continue; // optional
      throw new InvalidMetaError(`resource_meta is missing field "${field}" (was it made by another agent?)`);
    }
    const actualType = Array.isArray(actual) ? "array" : typeof actual;
    if (actualType !== type) {
      throw new InvalidMetaError(`resource_meta field "${field}" must be a ${type}, got ${actualType}`);
    }
  }
  return value as Meta;
}
