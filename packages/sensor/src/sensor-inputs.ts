import { BlobRef, type flyteidl, fromLiteralMap, type PlainValue, StructuredDatasetRef, TaskInputError } from "@flyte-agent/core";

/** Deepest nesting of an input kept in resource_meta. */
const MAX_DEPTH = 16;

function toJson(value: PlainValue, path: string, depth: number): unknown {
  if (depth > MAX_DEPTH) throw new TaskInputError(`input ${path} is nested deeper than ${MAX_DEPTH} levels`);
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") return value;
  if (typeof value === "bigint") {
    if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
      throw new TaskInputError(`input ${path}: ${value} is too large for the sensor`);
    }
    return Number(value);
  }
  if (value instanceof Date) return value.toISOString();
  if (value instanceof BlobRef || value instanceof StructuredDatasetRef) return value.uri;
  if (Array.isArray(value)) return value.map((v, i) => toJson(v, `${path}[${i}]`, depth + 1));
  if (value instanceof Uint8Array) throw new TaskInputError(`input ${path}: bytes cannot be passed to a sensor`);
  if (typeof value === "object" && value.constructor === Object) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJson(v, `${path}.${k}`, depth + 1)]));
  }
  throw new TaskInputError(`input ${path}: this kind of value cannot be passed to a sensor`);
}

/**
 * The `poke` arguments from the task's input literals, as JSON values (what flytekit keeps in
 * `SensorMetadata.inputs`): a string as is (also one that arrives as msgpack, as propeller
 * passes an attribute of an upstream dataclass), an int as a number, a blob as its uri.
 */
export function sensorInputs(inputs: flyteidl.core.LiteralMap | undefined): { [name: string]: unknown } {
  let values: { [name: string]: PlainValue };
  try {
    values = fromLiteralMap(inputs);
  } catch (err) {
    throw new TaskInputError(`cannot read the sensor's inputs: ${(err as Error).message}`);
  }
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, toJson(v, k, 0)]));
}
