/**
 * The one duration syntax of every `flyte-agent` command and of core's options: a number with a
 * unit (`500ms`, `10s`, `2m`, `1h`, `1d`), several of them run together (`1m30s`), or a bare
 * integer, read as milliseconds.
 * @module
 */

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** The accepted forms, for error messages. */
export const DURATION_SYNTAX = "500ms, 10s, 2m, 1m30s or 1h (a bare integer is milliseconds)";

/** Thrown by {@link parseDuration} for text that is not a duration; the message names what was being read. */
export class DurationSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DurationSyntaxError";
  }
}

/**
 * Parses a duration into whole milliseconds (fractions of a millisecond are rounded).
 * @param text for example `500ms`, `10s`, `2m`, `1m30s`, `1.5s`, or `250` (milliseconds)
 * @param what what is being read, for the error message (a flag name such as `--drain-timeout`)
 * @throws DurationSyntaxError saying what was expected and what was given
 */
export function parseDuration(text: string, what = "a duration"): number {
  const s = text.trim().toLowerCase();
  if (/^\d+$/.test(s)) return Number(s);
  const part = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/y;
  let total = 0;
  let end = 0;
  for (let m = part.exec(s); m; m = part.exec(s)) {
    total += Number(m[1]) * (UNIT_MS[m[2] ?? ""] ?? Number.NaN);
    end = part.lastIndex;
  }
  if (s === "" || end !== s.length || !Number.isFinite(total)) {
    const hint = /^\d+\.\d+$/.test(s) ? `; a bare number is milliseconds, so write ${s}s for seconds` : "";
    throw new DurationSyntaxError(`${what} must be a duration like ${DURATION_SYNTAX}, got "${text}"${hint}`);
  }
  return Math.round(total);
}

/**
 * Formats milliseconds in the largest unit that divides them exactly (`90000` -> `90s`,
 * `120000` -> `2m`, `1500` -> `1500ms`): the form Go's `time.ParseDuration` (and so
 * FlytePropeller's configuration) reads, and {@link parseDuration} reads back.
 */
export function formatDuration(ms: number): string {
  if (!Number.isInteger(ms) || ms < 0) throw new RangeError(`expected a whole number of milliseconds >= 0, got ${ms}`);
  if (ms === 0) return "0s";
  for (const [unit, size] of [
    ["h", 3_600_000],
    ["m", 60_000],
    ["s", 1000],
  ] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
