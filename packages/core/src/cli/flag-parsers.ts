import { accessSync, constants } from "node:fs";
import { type Command, InvalidArgumentError, type Option } from "commander";
import { parseDuration } from "../duration";
import { UsageError } from "./usage-error";

/** The accepted forms on the command line, for error messages. */
const DURATION_SYNTAX = "500ms, 10s, 2m, 1m30s or 1h";

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

/**
 * A duration in the one syntax (`500ms`, `10s`, `2m`), as milliseconds. On the command line a
 * duration needs its unit: {@link checkDurationUnits} refuses a bare integer there. The
 * environment variable behind a flag keeps reading a bare integer as milliseconds, as it always
 * has, so existing deployments keep their meaning.
 */
export function durationFlag(value: string): number {
  let ms: number;
  try {
    ms = parseDuration(value);
  } catch {
    const hint = /^\s*\d+\.\d+\s*$/.test(value) ? ` A number needs a unit: write ${value.trim()}s for seconds.` : "";
    throw new InvalidArgumentError(`Expected a duration like ${DURATION_SYNTAX}.${hint}`);
  }
  if (ms > MAX_TIMER_MS) throw new InvalidArgumentError(`Expected at most ${MAX_TIMER_MS} ms (about 24 days).`);
  return ms;
}

/** The value parsers whose flags take a duration: {@link durationFlag} and {@link durationParser}'s. */
const DURATION_PARSERS = new Set<unknown>([durationFlag]);

/** Marks a parser built on {@link durationFlag} as a duration flag's, so that {@link checkDurationUnits} checks it. */
export function durationParser<T>(parse: (value: string) => T): (value: string) => T {
  DURATION_PARSERS.add(parse);
  return parse;
}

/** The values given on the command line for `option` (`--flag value`, `--flag=value`, `-f value`, `-fvalue`). */
function valuesOnCommandLine(option: Option, argv: readonly string[]): string[] {
  const names = [option.long, option.short].filter((n): n is string => typeof n === "string");
  const values: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] ?? "";
    if (token === "--") break;
    if (names.includes(token) && i + 1 < argv.length) values.push(argv[i + 1] ?? "");
    else if (option.long && token.startsWith(`${option.long}=`)) values.push(token.slice(option.long.length + 1));
    else if (option.short && token.length > 2 && token.startsWith(option.short) && !token.startsWith("--")) {
      values.push(token.slice(option.short.length)); // -t10
    }
  }
  return values;
}

/**
 * Refuses a bare integer given on the command line to a duration flag (one parsed by
 * {@link durationFlag}): `-t 10` used to mean 10 ms, which surprised everyone. The message
 * suggests the unit most likely meant.
 * @throws UsageError naming the flag, what was given and `<n>s`
 */
export function checkDurationUnits(command: Command, argv: readonly string[]): void {
  for (const option of command.options) {
    if (!DURATION_PARSERS.has(option.parseArg)) continue;
    for (const value of valuesOnCommandLine(option, argv)) {
      if (/^\s*\d+\s*$/.test(value)) {
        const n = value.trim();
        throw new UsageError(
          `${option.long} ${n}: a duration needs a unit; write ${n}s for ${n} seconds (or ${n}ms). Environment variables still read a bare number as milliseconds.`,
        );
      }
    }
  }
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
