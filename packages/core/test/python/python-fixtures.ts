/**
 * Values and their text as Python writes them, from test/fixtures/python/make_fixtures.py (run
 * with the Debian package python3-msgpack; the output is committed so the tests need no Python).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { PythonValue } from "../../src/python-text";

type Typed = null | boolean | string | { int: string } | { float: number | string } | { dict: [string, Typed][] } | Typed[];

interface Fixtures {
  str: { value: Typed; str: string }[];
  json: { value: Typed; json: string }[];
  msgpack: { name: string; hex: string; value: Typed; json: string }[];
}

export const fixtures: Fixtures = JSON.parse(readFileSync(join(__dirname, "../fixtures/python/python-fixtures.json"), "utf8"));

const FLOATS: Record<string, number> = { inf: Number.POSITIVE_INFINITY, "-inf": Number.NEGATIVE_INFINITY, nan: Number.NaN };

/** Python's value as JS: an int as `bigint`, a float as `number`. */
export function pythonValue(typed: Typed): PythonValue {
  if (typed === null || typeof typed === "boolean" || typeof typed === "string") return typed;
  if (Array.isArray(typed)) return typed.map(pythonValue);
  if ("int" in typed) return BigInt(typed.int);
  if ("float" in typed) return typeof typed.float === "number" ? typed.float : (FLOATS[typed.float] as number);
  return Object.fromEntries(typed.dict.map(([k, v]) => [k, pythonValue(v)]));
}

/** Python's value as JSON readers give it: ints as numbers while they fit 2^53 exactly. */
export function jsonValue(typed: Typed): PythonValue {
  const v = pythonValue(typed);
  const lower = (x: PythonValue): PythonValue => {
    if (typeof x === "bigint") return x >= -(2n ** 53n) && x <= 2n ** 53n ? Number(x) : x;
    if (Array.isArray(x)) return x.map(lower);
    if (x !== null && typeof x === "object" && !(x instanceof Date) && !(x instanceof Uint8Array)) {
      return Object.fromEntries(Object.entries(x).map(([k, y]) => [k, lower(y as PythonValue)]));
    }
    return x;
  };
  return lower(v);
}
