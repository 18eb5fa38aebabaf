import { type PythonValue, pythonStr } from "@flyte-agent/core";

type XXHashApi = { h64ToString(input: string, seed?: bigint): string };
let hasher: Promise<XXHashApi> | undefined;

/** xxhash-wasm, instantiated on first use (the image's other tasks never load it). */
function xxhash(): Promise<XXHashApi> {
  hasher ??= import("xxhash-wasm").then((m) => m.default());
  hasher.catch(() => {
    hasher = undefined;
  });
  return hasher;
}

/** Python's ordering of two strings: by code point (JS's `<` compares UTF-16 units). */
function compareCodePoints(a: string, b: string): number {
  const x = Array.from(a, (c) => c.codePointAt(0) as number);
  const y = Array.from(b, (c) => c.codePointAt(0) as number);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i]) return (x[i] as number) - (y[i] as number);
  }
  return x.length - y.length;
}

function isDict(value: PythonValue): value is { readonly [key: string]: PythonValue } {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Date) &&
    !(value instanceof Uint8Array)
  );
}

/**
 * flytekit's `sorted_dict_str`: a dict as `{key: value, ...}` with its keys in Python's order,
 * a list as `[...]` with its items ordered by their Python `str()` (stably), and every other
 * value as its Python `str()` (`True`, `None`, `1.0`, strings unquoted). In `value`, a `bigint`
 * is a Python int and a `number` a float.
 */
export function sortedDictStr(value: PythonValue): string {
  if (isDict(value)) {
    const keys = Object.keys(value).sort(compareCodePoints);
    return `{${keys.map((k) => `${k}: ${sortedDictStr(value[k])}`).join(", ")}}`;
  }
  if (Array.isArray(value)) {
    const items = (value as readonly PythonValue[]).map((item) => ({ item, key: pythonStr(item) }));
    items.sort((a, b) => compareCodePoints(a.key, b.key));
    return `[${items.map(({ item }) => sortedDictStr(item)).join(", ")}]`;
  }
  return pythonStr(value);
}

/**
 * True when flytekit would compute a token for this rendered config: its Python `str()` holds
 * `idempotence_token` (in a key or a value).
 */
export function wantsIdempotenceToken(config: PythonValue): boolean {
  return pythonStr(config).includes("idempotence_token");
}

/**
 * flytekit's idempotence token of a rendered config: xxh64 (seed 0) of {@link sortedDictStr}'s
 * UTF-8 text, as 16 hex digits. The same config gives the same token in flytekit's Python
 * connector and here, so both name resources alike.
 */
export async function idempotenceToken(config: PythonValue): Promise<string> {
  return (await xxhash()).h64ToString(sortedDictStr(config));
}
