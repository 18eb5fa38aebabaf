/**
 * Parses a Jobs API JSON body keeping integer ids exact: every `"<name>_id": <integer>` becomes a
 * string before parsing (run and job ids are int64 and may pass 2^53).
 */
export function parseJsonKeepingIds(text: string): unknown {
  return JSON.parse(text.replace(/("[A-Za-z0-9_]*_id"\s*:\s*)(-?\d+)(?=\s*[,}\]])/g, '$1"$2"'));
}

/** A run or job id as a decimal string, or undefined when the value is not one. */
export function idString(value: unknown): string | undefined {
  if (typeof value === "string" && /^\d{1,20}$/.test(value)) return value;
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return String(value);
  return undefined;
}
