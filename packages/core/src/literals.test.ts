import { flyteidl } from "./index";
import { BlobRef, DurationValue, fromLiteral, fromLiteralMap, StructuredDatasetRef, toLiteral, toLiteralMap } from "./literals";
import { TaskInputError } from "./errors";

const { core } = flyteidl;
const simple = (t: flyteidl.core.SimpleType): flyteidl.core.LiteralType =>
  core.LiteralType.fromPartial({ type: { $case: "simple", value: t } });
const listOf = (t: flyteidl.core.LiteralType): flyteidl.core.LiteralType =>
  core.LiteralType.fromPartial({ type: { $case: "collectionType", value: t } });

/** Encodes and decodes through protobuf, so round trips cross the wire format. */
const wire = (m: flyteidl.core.LiteralMap) => core.LiteralMap.decode(core.LiteralMap.encode(m).finish());

describe("literals", () => {
  it("round-trips every plain kind through protobuf without precision loss", () => {
    const values = {
      none: null,
      big: 2n ** 63n - 1n,
      negative: -(2n ** 63n),
      float: 0.1,
      text: "héllo",
      yes: true,
      when: new Date("2026-01-02T03:04:05.678Z"),
      took: new DurationValue(90n, 500),
      bytes: new Uint8Array([0, 1, 255]),
      list: [1n, 2n],
      nested: { a: [{ b: "c" }] },
      table: new StructuredDatasetRef("bq://p:d.t", "parquet"),
      file: new BlobRef("s3://b/k", "csv", "multipart"),
    };
    const back = fromLiteralMap(wire(toLiteralMap(values)));
    expect(back).toEqual(values);
    expect(typeof back.big).toBe("bigint");
  });

  it("follows declared types and names the input on a mismatch", () => {
    const variables = core.VariableMap.fromPartial({
      variables: {
        n: { type: simple(core.SimpleType.INTEGER) },
        xs: { type: listOf(simple(core.SimpleType.FLOAT)) },
        s: { type: simple(core.SimpleType.STRUCT) },
      },
    });
    const m = toLiteralMap({ n: "12345678901234567", xs: [1, 2], s: { k: 1 } }, variables);
    expect(fromLiteral(m.literals.n!)).toBe(12345678901234567n);
    const xs = m.literals.xs!.value;
    expect(xs?.$case === "collection" && xs.value.literals[0]?.value?.$case === "scalar").toBe(true);
    expect(fromLiteral(m.literals.xs!)).toEqual([1, 2]);
    expect(m.literals.s!.value?.$case === "scalar" && m.literals.s!.value.value.value?.$case).toBe("generic");
    expect(() => toLiteralMap({ n: 1.5 }, variables)).toThrow(TaskInputError);
    expect(() => toLiteralMap({ n: 1.5 }, variables)).toThrow(/"n" \(integer\): expected integer, got number \(1.5\)/);
    expect(() => toLiteralMap({ xs: "nope" }, variables)).toThrow(/"xs" \(list<float>\): expected a list/);
  });

  it("converts unions to the first variant that fits", () => {
    const union = core.LiteralType.fromPartial({
      type: { $case: "unionType", value: { variants: [simple(core.SimpleType.INTEGER), simple(core.SimpleType.STRING)] } },
    });
    expect(fromLiteral(toLiteral("x", union))).toBe("x");
    expect(fromLiteral(toLiteral(3, union))).toBe(3n);
    expect(() => toLiteral(true, union)).toThrow(/matches no variant/);
  });

  it("treats whole numbers as integers and others as floats when untyped", () => {
    expect(fromLiteral(toLiteral(3))).toBe(3n);
    expect(fromLiteral(toLiteral(3.25))).toBe(3.25);
    expect(fromLiteral(toLiteral(2 ** 60))).toBe(2 ** 60); // beyond safe integers: a float, not a silent wrong integer
  });
});
