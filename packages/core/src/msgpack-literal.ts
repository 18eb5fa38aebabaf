import type * as Msgpack from "@msgpack/msgpack";

/**
 * The msgpack codec, loaded with the first msgpack value encoded or decoded: most agents never
 * see one, and a server that loads it at start-up holds about 1 MiB more while idle.
 */
let codec: typeof Msgpack | undefined;
function msgpack(): typeof Msgpack {
  codec ??= require("@msgpack/msgpack") as typeof Msgpack;
  return codec;
}
import { core as idl } from "@flyte-agent/flyteidl";
import type { core } from "@flyte-agent/flyteidl";
import { setOwn } from "./own-property";

/** The `binary.tag` flytekit gives a msgpack-encoded value (a dict, a dataclass). */
export const MSGPACK_TAG = "msgpack";

/**
 * The type annotation flytekit puts on a STRUCT variable whose values travel as msgpack:
 * `{"cache-key-metadata": {"serialization-format": "msgpack"}}`.
 */
export const MSGPACK_ANNOTATION: { readonly "cache-key-metadata": { readonly "serialization-format": "msgpack" } } = {
  "cache-key-metadata": { "serialization-format": "msgpack" },
};

/** Deepest nesting read from or written to msgpack. */
export const MAX_MSGPACK_DEPTH = 100;

/** A value msgpack carries: JSON's values, with `bigint` for integers beyond 2^53 and bytes. */
export type MsgpackValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | MsgpackValue[]
  | { [key: string]: MsgpackValue };

/**
 * True when a LiteralType says its values travel as msgpack: a simple STRUCT annotated with
 * {@link MSGPACK_ANNOTATION}, as flytekit types a `dict` or a dataclass.
 */
export function isMsgpackStruct(type: core.LiteralType | undefined): boolean {
  if (type?.type?.$case !== "simple" || type.type.value !== idl.SimpleType.STRUCT) return false;
  const meta: unknown = type.annotation?.annotations?.["cache-key-metadata"];
  return typeof meta === "object" && meta !== null && (meta as Record<string, unknown>)["serialization-format"] === MSGPACK_TAG;
}

/** The LiteralType flytekit declares for a `dict` output: STRUCT with {@link MSGPACK_ANNOTATION}. */
export function msgpackStructType(): core.LiteralType {
  return {
    type: { $case: "simple", value: idl.SimpleType.STRUCT },
    metadata: undefined,
    annotation: { annotations: structuredClone(MSGPACK_ANNOTATION) },
    structure: undefined,
  };
}

/**
 * Encodes a value as msgpack the way Python's `msgpack.packb` does for the same value: whole
 * numbers (and `bigint`s) as the smallest integer type, other numbers as float64, strings as
 * str, bytes as bin, maps with their keys in insertion order. A `Date` becomes its ISO text.
 * Throws a TypeError for anything else (functions, class instances, `undefined` in a list).
 */
export function encodeMsgpack(value: unknown): Uint8Array {
  return msgpack().encode(toMsgpackValue(value, 0, "value"), { useBigInt64: true });
}

/**
 * Decodes msgpack bytes written by flytekit (Python's `msgpack`): maps become plain objects,
 * integers numbers (`bigint` beyond 2^53, so nothing is rounded), bin `Uint8Array`. Throws a
 * TypeError saying what is wrong for bytes that are not one msgpack value, or nest deeper than
 * {@link MAX_MSGPACK_DEPTH}.
 */
export function decodeMsgpack(bytes: Uint8Array): MsgpackValue {
  let decoded: unknown;
  try {
    // Every element takes at least one byte: a longer length claim is a lie, refused before allocating.
    decoded = msgpack().decode(bytes, {
      useBigInt64: true,
      maxArrayLength: bytes.length,
      maxMapLength: bytes.length,
      maxStrLength: bytes.length,
      maxBinLength: bytes.length,
      maxExtLength: bytes.length,
    });
  } catch (err) {
    throw new TypeError(`invalid msgpack value: ${(err as Error).message}`);
  }
  return fromDecoded(decoded, 0);
}

function fromDecoded(value: unknown, depth: number): MsgpackValue {
  if (depth > MAX_MSGPACK_DEPTH) throw new TypeError(`msgpack value nested deeper than ${MAX_MSGPACK_DEPTH} levels`);
  if (value === null || typeof value === "boolean" || typeof value === "number" || typeof value === "string") return value;
  if (typeof value === "bigint") return value >= -(2n ** 53n) && value <= 2n ** 53n ? Number(value) : value;
  if (value instanceof Uint8Array) return value;
  if (Array.isArray(value)) return value.map((v) => fromDecoded(v, depth + 1));
  if (value instanceof Date) return value.toISOString();
  if (isPlainRecord(value)) {
    const out: { [key: string]: MsgpackValue } = {};
    for (const [k, v] of Object.entries(value)) setOwn(out, k, fromDecoded(v, depth + 1));
    return out;
  }
  throw new TypeError("msgpack value holds an extension type, which flytekit does not write");
}

function toMsgpackValue(value: unknown, depth: number, path: string): unknown {
  if (depth > MAX_MSGPACK_DEPTH) throw new TypeError(`${path}: nested deeper than ${MAX_MSGPACK_DEPTH} levels`);
  if (value === null || typeof value === "boolean" || typeof value === "string") return value;
  if (typeof value === "number") return Object.is(value, -0) ? 0 : value;
  if (typeof value === "bigint") {
    if (value < -(2n ** 63n) || value >= 2n ** 64n) throw new TypeError(`${path}: integer ${value} does not fit in 64 bits`);
    return value >= -(2n ** 53n) && value <= 2n ** 53n ? Number(value) : value;
  }
  if (value instanceof Uint8Array) return value;
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new TypeError(`${path}: invalid Date`);
    return value.toISOString();
  }
  if (Array.isArray(value)) return value.map((v, i) => toMsgpackValue(v, depth + 1, `${path}[${i}]`));
  if (isPlainRecord(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined) continue; // as JSON.stringify: an unset field is left out
      setOwn(out, k, toMsgpackValue(v, depth + 1, `${path}.${k}`));
    }
    return out;
  }
  throw new TypeError(`${path}: cannot write ${value === undefined ? "undefined" : typeof value} as msgpack`);
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** A `scalar.binary { tag: "msgpack" }` literal holding `value`, as flytekit writes a dict. */
export function msgpackLiteral(value: unknown): core.Literal {
  return {
    value: {
      $case: "scalar",
      value: { value: { $case: "binary", value: { value: Buffer.from(encodeMsgpack(value)), tag: MSGPACK_TAG } } },
    },
    hash: "",
    metadata: {},
  };
}
