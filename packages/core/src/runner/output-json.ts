import { BlobRef, DurationValue, type PlainValue, StructuredDatasetRef } from "../literals";

/** A value JSON can carry exactly. */
export type JsonOut = null | boolean | number | string | JsonOut[] | { [key: string]: JsonOut };

/**
 * Converts a plain output value to JSON without losing precision: integers become numbers when
 * they are safe and strings otherwise, dates ISO text, durations `"<seconds>s"` (as in protobuf
 * JSON), binary base64, dataset and blob references `{uri, format, ...}`.
 */
export function toJsonOut(value: PlainValue): JsonOut {
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "bigint") {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(value)
      : value.toString();
  }
  if (typeof value === "number") return Number.isFinite(value) ? value : String(value);
  if (value instanceof Date) return value.toISOString();
  if (value instanceof DurationValue) {
    const nanos = value.nanos === 0 ? "" : `.${String(Math.abs(value.nanos)).padStart(9, "0").replace(/0+$/, "")}`;
    return `${value.seconds}${nanos}s`;
  }
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
  if (value instanceof StructuredDatasetRef) return { uri: value.uri, format: value.format };
  if (value instanceof BlobRef) return { uri: value.uri, format: value.format, dimensionality: value.dimensionality };
  if (Array.isArray(value)) return value.map(toJsonOut);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJsonOut(v)]));
}
