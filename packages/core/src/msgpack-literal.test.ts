import { fixtures, jsonValue } from "../test/python/python-fixtures";
import { flyteidl } from "./index";
import { fromLiteral, structLiteral, toLiteral, toOutputLiteralMap } from "./literals";
import { decodeMsgpack, encodeMsgpack, isMsgpackStruct, MSGPACK_ANNOTATION, msgpackStructType } from "./msgpack-literal";
import { pythonJsonDumps } from "./python-text";

const { core } = flyteidl;
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const wire = (l: flyteidl.core.Literal) => core.Literal.decode(core.Literal.encode(l).finish());
const struct = core.LiteralType.fromPartial({ type: { $case: "simple", value: core.SimpleType.STRUCT } });

describe("msgpack values, against Python's msgpack", () => {
  it.each(fixtures.msgpack.map((c) => [c.name, c] as const))("reads %s as Python wrote it", (_name, c) => {
    const decoded = decodeMsgpack(Buffer.from(c.hex, "hex"));
    expect(decoded).toEqual(jsonValue(c.value));
    expect(pythonJsonDumps(decoded)).toBe(c.json);
  });

  it.each(fixtures.msgpack.map((c) => [c.name, c] as const))("writes %s byte for byte as Python does", (_name, c) => {
    expect(hex(encodeMsgpack(jsonValue(c.value)))).toBe(c.hex);
  });

  it("keeps 64-bit integers exact", () => {
    const c = fixtures.msgpack.find((f) => f.name === "int64");
    const decoded = decodeMsgpack(Buffer.from(c?.hex ?? "", "hex")) as { max: unknown; min: unknown; u64: unknown };
    expect(decoded.max).toBe(2n ** 63n - 1n);
    expect(decoded.min).toBe(-(2n ** 63n));
    expect(decoded.u64).toBe(2n ** 64n - 1n);
  });

  it("refuses bytes that are not one msgpack value, and lying lengths, with a TypeError", () => {
    expect(() => decodeMsgpack(Buffer.from("c1", "hex"))).toThrow(TypeError);
    // array32 claiming 4 billion items in 5 bytes: refused before anything is allocated
    expect(() => decodeMsgpack(Buffer.from("ddffffffff", "hex"))).toThrow(/invalid msgpack value/);
    expect(() => decodeMsgpack(Buffer.from("81a161", "hex"))).toThrow(/invalid msgpack value/); // truncated map
  });

  it("refuses nesting deeper than its limit both ways", () => {
    const atLimit = Buffer.concat([Buffer.alloc(100, 0x91), Buffer.from([0x90])]); // 100 one-item arrays around []
    expect(() => decodeMsgpack(atLimit)).not.toThrow();
    const beyond = Buffer.concat([Buffer.alloc(101, 0x91), Buffer.from([0x90])]);
    expect(() => decodeMsgpack(beyond)).toThrow(/deeper than 100/);
    let deep: unknown = [];
    for (let i = 0; i < 101; i++) deep = [deep];
    expect(() => encodeMsgpack(deep)).toThrow(/deeper than 100/);
  });

  it("refuses a __proto__ key rather than let it change an object's prototype", () => {
    expect(() => decodeMsgpack(Buffer.from("81a95f5f70726f746f5f5f80", "hex"))).toThrow(/invalid msgpack value: .*__proto__/);
    const written = encodeMsgpack(JSON.parse('{"__proto__": 1}'));
    expect(hex(written)).toBe("81a95f5f70726f746f5f5f01");
  });

  it("refuses what it cannot write", () => {
    expect(() => encodeMsgpack({ f: () => 1 })).toThrow(/value.f: cannot write function/);
    expect(() => encodeMsgpack({ n: 2n ** 64n })).toThrow(/does not fit in 64 bits/);
  });
});

describe("STRUCT literals", () => {
  it("recognises flytekit's msgpack annotation and nothing else", () => {
    expect(isMsgpackStruct(msgpackStructType())).toBe(true);
    expect(isMsgpackStruct(struct)).toBe(false);
    expect(
      isMsgpackStruct({ ...struct, annotation: { annotations: { "cache-key-metadata": { "serialization-format": "json" } } } }),
    ).toBe(false);
    expect(
      isMsgpackStruct(
        core.LiteralType.fromPartial({
          type: { $case: "simple", value: core.SimpleType.STRING },
          annotation: { annotations: MSGPACK_ANNOTATION },
        }),
      ),
    ).toBe(false);
  });

  it("writes a dict as msgpack for an annotated STRUCT, as generic otherwise, and reads both back", () => {
    const dict = { id: "batch_1", created_at: 1711471533, ratio: 0.5, errors: null, counts: { total: 2 } };
    const packed = wire(toLiteral(dict, msgpackStructType()));
    const p = packed.value?.$case === "scalar" ? packed.value.value.value : undefined;
    expect(p?.$case).toBe("binary");
    expect(p?.$case === "binary" && p.value.tag).toBe("msgpack");
    expect(fromLiteral(packed)).toEqual(dict);

    const generic = wire(structLiteral(dict, struct));
    expect(generic.value?.$case === "scalar" && generic.value.value.value?.$case).toBe("generic");
    expect(fromLiteral(generic)).toEqual(dict);
    expect(() => structLiteral([1] as never)).toThrow(/expected a dict/);
  });

  it("writes outputs as the template's interface declares them", () => {
    const template = core.TaskTemplate.fromPartial({
      interface: {
        outputs: {
          variables: {
            result: { type: msgpackStructType() },
            legacy: { type: struct },
            o0: { type: core.LiteralType.fromPartial({ type: { $case: "simple", value: core.SimpleType.STRING } }) },
          },
        },
      },
    });
    const out = toOutputLiteralMap({ result: { a: 1 }, legacy: { a: 1 }, o0: "text" }, template);
    const kind = (name: string) => {
      const l = out.literals[name];
      return l?.value?.$case === "scalar" ? l.value.value.value?.$case : undefined;
    };
    expect([kind("result"), kind("legacy"), kind("o0")]).toEqual(["binary", "generic", "primitive"]);
  });
});
