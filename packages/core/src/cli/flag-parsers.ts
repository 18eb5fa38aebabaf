import { accessSync, constants } from "node:fs";
import { InvalidArgumentError } from "commander";
import { DURATION_SYNTAX, parseDuration } from "../duration";

/**
 * Value parsers for commander options, so that every flag (and every environment variable
 * backing one) is checked while the command line is parsed, before anything starts. A bad value
 * ends the command with a message naming the flag and exit code 2 (see `main.ts`).
 */

/** The longest timer Node can set (about 24.8 days); longer ones fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** An integer in `[min, max]`. */
export function integerFlag(min: number, max: number): (value: string) => number {
  return (value) => {
    const n = /^-?\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`Expected an integer from ${min} to ${max}.`);
    }
    return n;
  };
}

/** A TCP port, 0 picking a free one. */
export const portFlag = integerFlag(0, 65_535);

/** A duration in the one syntax (`500ms`, `10s`, `2m`; a bare integer is milliseconds), as milliseconds. */
export function durationFlag(value: string): number {
  let ms: number;
  try {
    ms = parseDuration(value);
  } catch {
    const hint = /^\s*\d+\.\d+\s*$/.test(value) ? ` A bare number is milliseconds: write ${value.trim()}s for seconds.` : "";
    throw new InvalidArgumentError(`Expected a duration like ${DURATION_SYNTAX}.${hint}`);
  }
  if (ms > MAX_TIMER_MS) throw new InvalidArgumentError(`Expected at most ${MAX_TIMER_MS} ms (about 24 days).`);
  return ms;
}

/** A path to a file this process can read. */
export function readableFileFlag(value: string): string {
  try {
    accessSync(value, constants.R_OK);
  } catch (err) {
    throw new InvalidArgumentError(`Cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`);
  }
  return value;
}

/** A non-empty string. */
export function nonEmptyFlag(value: string): string {
  if (value.trim() === "") throw new InvalidArgumentError("Expected a non-empty value.");
  return value;
}
