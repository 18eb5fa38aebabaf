/**
 * The fake's own JSON reader, independent of the plugin's: a strict RFC 8259 parser that keeps
 * every integer exact. An integer that a JavaScript number holds exactly stays a number; a
 * larger one (a Databricks int64 id above 2^53) becomes a bigint, so the fake can check that
 * the plugin sent the id it meant, digit for digit. Numbers with a fraction or exponent are
 * numbers. Anything that is not JSON throws a SyntaxError saying where.
 */
export type StrictJson = null | boolean | number | bigint | string | StrictJson[] | { [key: string]: StrictJson };

/** Parses `text` as one JSON value (see {@link StrictJson}). */
export function parseStrictJson(text: string): StrictJson {
  let at = 0;
  const fail = (what: string): never => {
    throw new SyntaxError(`${what} at offset ${at}`);
  };
  const space = () => {
    while (at < text.length && " \t\n\r".includes(text[at]!)) at++;
  };
  const literal = (word: string, value: StrictJson): StrictJson => {
    if (text.startsWith(word, at)) {
      at += word.length;
      return value;
    }
    return fail("unexpected token");
  };
  const string = (): string => {
    at++; // opening quote
    let out = "";
    for (;;) {
      const c = text[at];
      if (c === undefined) return fail("unterminated string");
      if (c === '"') {
        at++;
        return out;
      }
      if (c < " ") return fail("control character in string");
      if (c !== "\\") {
        out += c;
        at++;
        continue;
      }
      const e = text[at + 1];
      const simple: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };
      if (e !== undefined && e in simple) {
        out += simple[e];
        at += 2;
      } else if (e === "u" && /^[0-9a-fA-F]{4}$/.test(text.slice(at + 2, at + 6))) {
        out += String.fromCharCode(Number.parseInt(text.slice(at + 2, at + 6), 16));
        at += 6;
      } else {
        return fail("bad escape in string");
      }
    }
  };
  const number = (): number | bigint => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(at));
    if (!match) return fail("bad number");
    at += match[0].length;
    if (match[2] !== undefined || match[3] !== undefined) return Number(match[0]);
    const exact = BigInt(match[0]);
    return Number.isSafeInteger(Number(match[0])) ? Number(match[0]) : exact;
  };
  const value = (): StrictJson => {
    space();
    const c = text[at];
    if (c === "{") {
      at++;
      const out: { [key: string]: StrictJson } = {};
      space();
      if (text[at] === "}") {
        at++;
        return out;
      }
      for (;;) {
        space();
        if (text[at] !== '"') return fail("expected a property name");
        const key = string();
        space();
        if (text[at] !== ":") return fail("expected ':'");
        at++;
        if (Object.hasOwn(out, key)) return fail(`duplicate key "${key}"`);
        out[key] = value();
        space();
        if (text[at] === ",") {
          at++;
          continue;
        }
        if (text[at] === "}") {
          at++;
          return out;
        }
        return fail("expected ',' or '}'");
      }
    }
    if (c === "[") {
      at++;
      const out: StrictJson[] = [];
      space();
      if (text[at] === "]") {
        at++;
        return out;
      }
      for (;;) {
        out.push(value());
        space();
        if (text[at] === ",") {
          at++;
          continue;
        }
        if (text[at] === "]") {
          at++;
          return out;
        }
        return fail("expected ',' or ']'");
      }
    }
    if (c === '"') return string();
    if (c === "t") return literal("true", true);
    if (c === "f") return literal("false", false);
    if (c === "n") return literal("null", null);
    return number();
  };
  const result = value();
  space();
  if (at !== text.length) fail("unexpected text after the JSON value");
  return result;
}

const INT64_MAX = 2n ** 63n - 1n;

/** The decimal text of a JSON integer that is a valid int64 id (>= 0), else undefined. */
export function int64Text(value: StrictJson | undefined): string | undefined {
  if (typeof value === "bigint") return value >= 0n && value <= INT64_MAX ? value.toString() : undefined;
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return String(value);
  return undefined;
}
