/**
 * Python's text forms of plain values: `str()` (and `repr()` inside containers) and
 * `json.dumps()` with its default settings, so that text built here from a task's values is the
 * text flytekit builds from the same values (placeholders, idempotence tokens).
 */

/** A value as Python sees it: `bigint` is an `int`, `number` a `float` (see {@link PythonStrOptions}). */
export type PythonValue =
  | null
  | undefined
  | boolean
  | number
  | bigint
  | string
  | Date
  | Uint8Array
  | readonly PythonValue[]
  | { readonly [key: string]: PythonValue };

/** Options of {@link pythonStr}. */
export interface PythonStrOptions {
  /**
   * How a `number` with no fraction is written. `"float"`: as a Python float (`10.0`), which is
   * what a value read from protobuf (a `custom` Struct, a float literal) is in flytekit.
   * `"int"`: as an int (`10`), for values that went through {@link integralFloatsToIntegers}
   * the way flytekit's boto connector converts them. A `bigint` is always an int.
   * @default "float"
   */
  readonly integralNumbers?: "float" | "int";
  /** Deepest nesting of lists and dicts written; deeper is a RangeError. @default 64 */
  readonly maxDepth?: number;
}

/** Nesting {@link pythonStr} and {@link pythonJsonDumps} write by default. */
export const DEFAULT_PYTHON_TEXT_DEPTH = 64;

/**
 * Python's `str(value)`: a string as is, `None`, `True`/`False`, a float as `repr(float)`
 * (`1.0`, `1e+16`, `inf`), an int as digits, and lists and dicts in Python's own notation
 * (`{'a': 1, 'b': [1.0, None]}`, strings quoted as `repr()` quotes them). A `Date` is written
 * as `str(datetime)` of an aware UTC datetime (`2026-01-02 03:04:05.678000+00:00`), bytes as
 * `b'...'`. `undefined` is written as `None`.
 */
export function pythonStr(value: PythonValue, options: PythonStrOptions = {}): string {
  if (typeof value === "string") return value;
  return pythonRepr(value, options);
}

/** Python's `repr(value)`; see {@link pythonStr} (only strings differ: they are quoted). */
export function pythonRepr(value: PythonValue, options: PythonStrOptions = {}): string {
  const maxDepth = options.maxDepth ?? DEFAULT_PYTHON_TEXT_DEPTH;
  const ints = options.integralNumbers === "int";
  const write = (v: PythonValue, depth: number): string => {
    if (v === null || v === undefined) return "None";
    if (typeof v === "boolean") return v ? "True" : "False";
    if (typeof v === "bigint") return v.toString();
    if (typeof v === "number") return ints && Number.isInteger(v) && Math.abs(v) <= 2 ** 53 ? intText(v) : pythonFloatRepr(v);
    if (typeof v === "string") return pythonStringRepr(v);
    if (v instanceof Date) return pythonDatetimeStr(v);
    if (v instanceof Uint8Array) return pythonBytesRepr(v);
    if (depth >= maxDepth) throw new RangeError(`value nested deeper than ${maxDepth} levels`);
    if (Array.isArray(v)) return `[${v.map((x) => write(x, depth + 1)).join(", ")}]`;
    const entries = Object.entries(v as { [key: string]: PythonValue });
    return `{${entries.map(([k, x]) => `${pythonStringRepr(k)}: ${write(x, depth + 1)}`).join(", ")}}`;
  };
  return write(value, 0);
}

/**
 * Python's `json.dumps(value)` with its defaults (`", "` and `": "` separators, non-ASCII
 * escaped as `\uXXXX`, `NaN` / `Infinity`), for values decoded from JSON or msgpack: there a
 * `number` with no fraction is an int (msgpack and JSON readers give a float 1.0 and an int 1
 * the same JS number), other numbers are floats written as `repr(float)` (`1e-07`). A `bigint` is
 * an int. A `Date` is refused, as `json.dumps` refuses a datetime; bytes too.
 */
export function pythonJsonDumps(value: PythonValue, options: Pick<PythonStrOptions, "maxDepth"> = {}): string {
  const maxDepth = options.maxDepth ?? DEFAULT_PYTHON_TEXT_DEPTH;
  const write = (v: PythonValue, depth: number): string => {
    if (v === null || v === undefined) return "null";
    if (typeof v === "boolean") return v ? "true" : "false";
    if (typeof v === "bigint") return v.toString();
    if (typeof v === "number") {
      if (Number.isNaN(v)) return "NaN";
      if (!Number.isFinite(v)) return v > 0 ? "Infinity" : "-Infinity";
      return Number.isInteger(v) && Math.abs(v) <= 2 ** 53 ? intText(v) : pythonFloatRepr(v);
    }
    if (typeof v === "string") return jsonStringAscii(v);
    if (v instanceof Date || v instanceof Uint8Array) {
      throw new TypeError(`Object of type ${v instanceof Date ? "datetime" : "bytes"} is not JSON serializable`);
    }
    if (depth >= maxDepth) throw new RangeError(`value nested deeper than ${maxDepth} levels`);
    if (Array.isArray(v)) return `[${v.map((x) => write(x, depth + 1)).join(", ")}]`;
    const entries = Object.entries(v as { [key: string]: PythonValue });
    return `{${entries.map(([k, x]) => `${jsonStringAscii(k)}: ${write(x, depth + 1)}`).join(", ")}}`;
  };
  return write(value, 0);
}

function intText(v: number): string {
  return Object.is(v, -0) ? "0" : v.toFixed(0);
}

/**
 * Python's `repr(float)`: the shortest digits that read back as the same double (as JS's own
 * `toString`), in fixed notation for exponents from -4 to 15 and with `e+XX` / `e-XX` otherwise;
 * a whole number keeps `.0`.
 */
export function pythonFloatRepr(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const [mantissa = "", expText = "0"] = x.toExponential().split("e");
  const exp = Number(expText);
  const sign = mantissa.startsWith("-") ? "-" : "";
  const digits = mantissa.replace("-", "").replace(".", "");
  if (exp >= -4 && exp < 16) {
    if (exp < 0) return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
    const whole = digits.slice(0, exp + 1).padEnd(exp + 1, "0");
    const fraction = digits.slice(exp + 1);
    return `${sign}${whole}.${fraction === "" ? "0" : fraction}`;
  }
  const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  const e = Math.abs(exp);
  return `${sign}${m}e${exp < 0 ? "-" : "+"}${e < 10 ? `0${e}` : e}`;
}

/** Characters Python's `str.isprintable()` rejects (other than the ASCII space). */
const NON_PRINTABLE = /[\p{C}\p{Z}]/u;

/** Python's `repr(str)`: single quotes unless the text has `'` and no `"`; escapes as Python writes them. */
export function pythonStringRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === quote || ch === "\\") out += `\\${ch}`;
    else if (ch === "\t") out += "\\t";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch !== " " && NON_PRINTABLE.test(ch)) out += escapeCodePoint(code);
    else out += ch;
  }
  return out + quote;
}

function escapeCodePoint(code: number): string {
  if (code < 0x100) return `\\x${code.toString(16).padStart(2, "0")}`;
  if (code < 0x10000) return `\\u${code.toString(16).padStart(4, "0")}`;
  return `\\U${code.toString(16).padStart(8, "0")}`;
}

/** A JSON string with everything outside printable ASCII escaped, as `json.dumps` (ensure_ascii) writes it. */
function jsonStringAscii(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i] as string;
    const code = s.charCodeAt(i);
    if (ch === '"') out += '\\"';
    else if (ch === "\\") out += "\\\\";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\b") out += "\\b";
    else if (ch === "\f") out += "\\f";
    else if (code < 0x20 || code > 0x7e) out += `\\u${code.toString(16).padStart(4, "0")}`;
    else out += ch;
  }
  return `${out}"`;
}

/** `str(datetime)` of an aware UTC datetime with microseconds, e.g. `2026-01-02 03:04:05.678000+00:00`. */
function pythonDatetimeStr(d: Date): string {
  const iso = d.toISOString(); // 2026-01-02T03:04:05.678Z
  const ms = d.getUTCMilliseconds();
  const base = iso.slice(0, 19).replace("T", " ");
  return `${base}${ms === 0 ? "" : `.${String(ms * 1000).padStart(6, "0")}`}+00:00`;
}

/** `repr(bytes)`: `b'...'` with printable ASCII as is and the rest as `\xNN`. */
function pythonBytesRepr(bytes: Uint8Array): string {
  const hasSingle = bytes.includes(0x27);
  const quote = hasSingle && !bytes.includes(0x22) ? '"' : "'";
  let out = `b${quote}`;
  for (const b of bytes) {
    const ch = String.fromCharCode(b);
    if (ch === quote || ch === "\\") out += `\\${ch}`;
    else if (b === 0x09) out += "\\t";
    else if (b === 0x0a) out += "\\n";
    else if (b === 0x0d) out += "\\r";
    else if (b < 0x20 || b > 0x7e) out += `\\x${b.toString(16).padStart(2, "0")}`;
    else out += ch;
  }
  return out + quote;
}
