/**
 * The fake's own JSON reader (RFC 8259), independent of the SDK and of the plugin: it keeps how
 * each number was written, so the fake can refuse `10.0` where OpenAI takes an integer.
 */

/** A number as written in the request: its value and whether it was an integer literal (no `.`, no exponent). */
export class WrittenNumber {
  constructor(
    readonly value: number,
    readonly integerLiteral: boolean,
  ) {}
}

/** What {@link readJson} gives: JSON values with numbers as {@link WrittenNumber}. */
export type ReadJson = null | boolean | string | WrittenNumber | ReadJson[] | { [key: string]: ReadJson };

/** Deepest nesting read. */
const MAX_DEPTH = 64;

/** Parses one JSON value; a SyntaxError says what is wrong and where. */
export function readJson(text: string): ReadJson {
  let at = 0;
  const fail = (what: string): never => {
    throw new SyntaxError(`${what} at offset ${at}`);
  };
  const skipSpace = () => {
    while (at < text.length && (text[at] === " " || text[at] === "\t" || text[at] === "\n" || text[at] === "\r")) at++;
  };
  const word = (w: string, v: ReadJson): ReadJson => {
    if (!text.startsWith(w, at)) fail("unexpected token");
    at += w.length;
    return v;
  };
  const string = (): string => {
    at++;
    let out = "";
    for (;;) {
      if (at >= text.length) fail("unterminated string");
      const c = text[at++] as string;
      if (c === '"') return out;
      if (c < " ") fail("control character in string");
      if (c !== "\\") {
        out += c;
        continue;
      }
      const e = text[at++];
      const simple: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };
      if (e !== undefined && e in simple) out += simple[e];
      else if (e === "u" && /^[0-9a-fA-F]{4}$/.test(text.slice(at, at + 4))) {
        out += String.fromCharCode(Number.parseInt(text.slice(at, at + 4), 16));
        at += 4;
      } else fail("bad escape");
    }
  };
  const number = (): WrittenNumber => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(at));
    if (!m) return fail("bad number");
    at += m[0].length;
    return new WrittenNumber(Number(m[0]), m[2] === undefined && m[3] === undefined);
  };
  const value = (depth: number): ReadJson => {
    if (depth > MAX_DEPTH) fail("nested too deep");
    skipSpace();
    const c = text[at];
    if (c === "{") {
      at++;
      const out: { [key: string]: ReadJson } = {};
      skipSpace();
      if (text[at] === "}") {
        at++;
        return out;
      }
      for (;;) {
        skipSpace();
        if (text[at] !== '"') fail("expected a key");
        const key = string();
        skipSpace();
        if (text[at++] !== ":") fail("expected ':'");
        out[key] = value(depth + 1);
        skipSpace();
        const next = text[at++];
        if (next === "}") return out;
        if (next !== ",") fail("expected ',' or '}'");
      }
    }
    if (c === "[") {
      at++;
      const out: ReadJson[] = [];
      skipSpace();
      if (text[at] === "]") {
        at++;
        return out;
      }
      for (;;) {
        out.push(value(depth + 1));
        skipSpace();
        const next = text[at++];
        if (next === "]") return out;
        if (next !== ",") fail("expected ',' or ']'");
      }
    }
    if (c === '"') return string();
    if (c === "t") return word("true", true);
    if (c === "f") return word("false", false);
    if (c === "n") return word("null", null);
    return number();
  };
  const result = value(0);
  skipSpace();
  if (at !== text.length) fail("unexpected data after the value");
  return result;
}

/** The plain JS value of a {@link ReadJson} (numbers as numbers). */
export function plain(value: ReadJson): unknown {
  if (value instanceof WrittenNumber) return value.value;
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  return value;
}
