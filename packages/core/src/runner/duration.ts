const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Parses a duration such as `30s`, `1m30s`, `500ms`, `2h` or `1.5` (a bare number is seconds)
 * into milliseconds. Throws an error naming `what` when the text is not a duration.
 */
export function parseDuration(text: string, what = "duration"): number {
  const s = text.trim().toLowerCase();
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s) * 1000;
  const part = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;
  let total = 0;
  let end = 0;
  for (let m = part.exec(s); m; m = part.exec(s)) {
    total += Number(m[1]) * (UNIT_MS[m[2] ?? ""] ?? Number.NaN);
    end = part.lastIndex;
  }
  if (s === "" || end !== s.length || !Number.isFinite(total)) {
    throw new Error(`${what} must look like 30s, 1m30s, 500ms or 2h (a bare number is seconds), got "${text}"`);
  }
  return total;
}
