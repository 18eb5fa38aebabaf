/** A JSON-like value as the `result` output carries it. */
export type OutputValue = string | number | boolean | null | OutputValue[] | { [key: string]: OutputValue };

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Bytes as text when they are valid UTF-8, as base64 otherwise. */
export function bytesToText(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
  }
}

/**
 * An SDK v3 response as plain data: without `$metadata` (transport metadata), binary values
 * (InvokeEndpoint's `Body`) as text when UTF-8 and base64 otherwise, dates as ISO 8601 text,
 * undefined members left out.
 */
export function plainResponse(value: unknown): OutputValue {
  if (value === null || value === undefined) return null;
  if (typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") return Number.isFinite(value) ? value : String(value);
  if (typeof value === "bigint") return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return bytesToText(value);
  if (Array.isArray(value)) return value.map(plainResponse);
  if (typeof value === "object") {
    const out: { [key: string]: OutputValue } = {};
    for (const [key, member] of Object.entries(value)) {
      if (key === "$metadata" || member === undefined || typeof member === "function") continue;
      out[key] = plainResponse(member);
    }
    return out;
  }
  return String(value);
}
