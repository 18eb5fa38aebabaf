import type { flyteidl } from "@flyte-agent/core";
import { decode } from "@msgpack/msgpack";

type Literal = flyteidl.core.Literal;

/** A primitive string literal, as flytekit sends a `str` input. */
export function stringLiteral(value: string): Literal {
  return {
    value: { $case: "scalar", value: { value: { $case: "primitive", value: { value: { $case: "stringValue", value } } } } },
    hash: "",
    metadata: {},
  };
}

/** A primitive integer literal, as flytekit sends an `int` input. */
export function integerLiteral(value: bigint): Literal {
  return {
    value: { $case: "scalar", value: { value: { $case: "primitive", value: { value: { $case: "integer", value } } } } },
    hash: "",
    metadata: {},
  };
}

/**
 * The msgpack bytes Python's `msgpack.packb` writes for a small dict of strings, small
 * non-negative ints and booleans (fixmap, fixstr / str8, positive fixint, true/false), written
 * from the msgpack specification so that tests do not depend on the code under test.
 */
export function pythonMsgpack(value: { [key: string]: string | number | boolean }): Buffer {
  const str = (s: string): number[] => {
    const bytes = [...Buffer.from(s, "utf8")];
    if (bytes.length < 32) return [0xa0 | bytes.length, ...bytes];
    if (bytes.length < 256) return [0xd9, bytes.length, ...bytes];
    throw new RangeError("pythonMsgpack: strings up to 255 bytes");
  };
  const entries = Object.entries(value);
  if (entries.length > 15) throw new RangeError("pythonMsgpack: at most 15 keys");
  const out: number[] = [0x80 | entries.length];
  for (const [k, v] of entries) {
    out.push(...str(k));
    if (typeof v === "string") out.push(...str(v));
    else if (typeof v === "boolean") out.push(v ? 0xc3 : 0xc2);
    else if (Number.isInteger(v) && v >= 0 && v < 128) out.push(v);
    else throw new RangeError("pythonMsgpack: ints 0..127 only");
  }
  return Buffer.from(out);
}

/** A dataclass value as an upstream flytekit task outputs it: `scalar.binary { tag: "msgpack" }`. */
export function dataclassLiteral(value: { [key: string]: string | number | boolean }): Literal {
  return {
    value: { $case: "scalar", value: { value: { $case: "binary", value: { value: pythonMsgpack(value), tag: "msgpack" } } } },
    hash: "",
    metadata: {},
  };
}

/** A string msgpack-encoded, as propeller passes an attribute of an upstream dataclass (`alert.channel`). */
export function msgpackStringLiteral(value: string): Literal {
  const bytes = [...Buffer.from(value, "utf8")];
  const head = bytes.length < 32 ? [0xa0 | bytes.length] : [0xd9, bytes.length];
  return {
    value: {
      $case: "scalar",
      value: { value: { $case: "binary", value: { value: Buffer.from([...head, ...bytes]), tag: "msgpack" } } },
    },
    hash: "",
    metadata: {},
  };
}

/** Reads the output `info` of a webhook Resource: it must be a msgpack binary literal. */
export function infoOf(resource: flyteidl.admin.Resource): unknown {
  const literal = resource.outputs?.literals.info;
  const scalar = literal?.value?.$case === "scalar" ? literal.value.value.value : undefined;
  if (scalar?.$case !== "binary" || scalar.value.tag !== "msgpack") {
    throw new Error(`output info is not a msgpack binary literal: ${JSON.stringify(literal)}`);
  }
  return decode(scalar.value.value);
}
