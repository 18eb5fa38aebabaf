import { TaskInputError } from "./errors";
import type { JsonValue } from "./types";
import { setOwn } from "./own-property";

/** Deepest nesting {@link integralFloatsToIntegers} walks. */
export const MAX_CUSTOM_DEPTH = 64;

/**
 * Makes a task's `custom` options (or a part of them) ready to send to an external API as JSON,
 * with integer-valued numbers as integers, recursively through objects and arrays.
 *
 * protobuf's Struct, which carries `custom`, has only doubles: flytekit's `max_tokens=10`
 * arrives as `10.0`. flytekit's own connectors pass such floats on (ChatGPT's `max_tokens`),
 * and an API that checks types refuses them. Here a whole number is written by `JSON.stringify`
 * as an integer (`10`), `-0` becomes `0`, and a `bigint` (how {@link renderPlaceholders} gives an
 * int input) becomes a number. Non-integral numbers stay floats. A `bigint` beyond 2^53, a
 * non-finite number, or anything that is not JSON is a {@link TaskInputError} naming its path
 * (`label` starts it), as is nesting deeper than {@link MAX_CUSTOM_DEPTH}.
 *
 * For Python's text of such values (`10`, not `10.0`), use `pythonStr` with
 * `integralNumbers: "int"`.
 */
export function integralFloatsToIntegers(value: unknown, label = "custom"): JsonValue {
  return convert(value, label, 0);
}

function convert(value: unknown, path: string, depth: number): JsonValue {
  if (depth > MAX_CUSTOM_DEPTH) throw new TaskInputError(`${path}: nested deeper than ${MAX_CUSTOM_DEPTH} levels`);
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new TaskInputError(`${path}: ${value} is not a number JSON can carry`);
    if (Number.isInteger(value)) return Object.is(value, -0) ? 0 : Math.trunc(value);
    return value;
  }
  if (typeof value === "bigint") {
    if (value < -(2n ** 53n) || value > 2n ** 53n)
      throw new TaskInputError(`${path}: integer ${value} is beyond what a JSON number carries exactly (2^53)`);
    return Number(value);
  }
  if (Array.isArray(value)) return value.map((v, i) => convert(v, `${path}[${i}]`, depth + 1));
  if (typeof value === "object" && !(value instanceof Date) && !(value instanceof Uint8Array)) {
    const out: { [key: string]: JsonValue } = {};
    for (const [k, v] of Object.entries(value)) {
      if (v !== undefined) setOwn(out, k, convert(v, `${path}.${k}`, depth + 1));
    }
    return out;
  }
  throw new TaskInputError(
    `${path}: ${value instanceof Date ? "a date" : value instanceof Uint8Array ? "bytes" : typeof value} is not a JSON value`,
  );
}
