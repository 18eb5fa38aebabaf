import { fixtures, pythonValue } from "../test/python/python-fixtures";
import { pythonFloatRepr, pythonJsonDumps, pythonRepr, pythonStr } from "./python-text";

describe("pythonStr", () => {
  it.each(fixtures.str.map((c) => [c.str, c.value] as const))("writes %s as Python's str() does", (expected, typed) => {
    expect(pythonStr(pythonValue(typed))).toBe(expected);
  });

  it("writes whole numbers as ints only when asked", () => {
    expect(pythonStr(10)).toBe("10.0");
    expect(pythonStr(10, { integralNumbers: "int" })).toBe("10");
    expect(pythonStr({ n: 10, f: 0.5, big: 2 ** 60 }, { integralNumbers: "int" })).toBe(
      "{'n': 10, 'f': 0.5, 'big': 1.152921504606847e+18}",
    );
    expect(pythonStr(10n)).toBe("10");
  });

  it("quotes strings inside containers but not at the top", () => {
    expect(pythonStr("it's")).toBe("it's");
    expect(pythonRepr("it's")).toBe(`"it's"`);
    expect(pythonStr(["it's"])).toBe(`["it's"]`);
  });

  it("writes dates and bytes as Python writes a UTC datetime and bytes", () => {
    expect(pythonStr(new Date("2026-01-02T03:04:05.678Z"))).toBe("2026-01-02 03:04:05.678000+00:00");
    expect(pythonStr(new Date("2026-01-02T03:04:05Z"))).toBe("2026-01-02 03:04:05+00:00");
    expect(pythonStr(new Uint8Array([0x61, 0x27, 0x00, 0xff]))).toBe(`b"a'\\x00\\xff"`);
  });

  it("refuses nesting beyond its limit", () => {
    let deep: unknown = [];
    for (let i = 0; i < 70; i++) deep = [deep];
    expect(() => pythonStr(deep as never)).toThrow(RangeError);
    expect(() => pythonStr([[[]]], { maxDepth: 3 })).not.toThrow();
    expect(() => pythonStr([[[[]]]], { maxDepth: 3 })).toThrow(/deeper than 3/);
  });
});

describe("pythonFloatRepr", () => {
  it("switches to exponent notation where Python does", () => {
    expect(pythonFloatRepr(9999999999999998)).toBe("9999999999999998.0");
    expect(pythonFloatRepr(1e16)).toBe("1e+16");
    expect(pythonFloatRepr(0.0001)).toBe("0.0001");
    expect(pythonFloatRepr(0.00001234)).toBe("1.234e-05");
  });
});

describe("pythonJsonDumps", () => {
  it.each(fixtures.json.map((c) => [c.json, c.value] as const))("writes %s as json.dumps does", (expected, typed) => {
    expect(pythonJsonDumps(pythonValue(typed))).toBe(expected);
  });

  it("refuses what json.dumps refuses", () => {
    expect(() => pythonJsonDumps(new Date(0))).toThrow(/datetime is not JSON serializable/);
    expect(() => pythonJsonDumps({ b: new Uint8Array(1) })).toThrow(/bytes is not JSON serializable/);
  });
});
