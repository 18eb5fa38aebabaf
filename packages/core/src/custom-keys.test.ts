import { closestName } from "./closest-name";
import { declaredCustomKeys, describeUnknownCustomKeys, unknownCustomKeys } from "./custom-keys";

describe("declared custom keys", () => {
  const declared = ["durationSeconds", "fail", "spark.conf", "spark.mode", "limits.*.count"];

  test("top-level keys: declared ones pass, others are named with the closest declared key", () => {
    expect(unknownCustomKeys({ durationSeconds: 1, fail: false }, declared)).toEqual([]);
    expect(unknownCustomKeys({ durationSecond: 1, zzz: 2 }, declared)).toEqual([
      { path: "custom.durationSecond", suggestion: "durationSeconds" },
      { path: "custom.zzz" },
    ]);
  });

  test("a dotted entry closes the nested object; * stands for any key of a map", () => {
    expect(unknownCustomKeys({ spark: { conf: {}, mode: "x" }, limits: { a: { count: 1 }, b: { count: 2 } } }, declared)).toEqual(
      [],
    );
    expect(unknownCustomKeys({ spark: { confs: {} }, limits: { a: { counts: 1 } } }, declared)).toEqual([
      { path: "custom.spark.confs", suggestion: "conf" },
      { path: "custom.limits.a.counts", suggestion: "count" },
    ]);
    // A key declared without nested entries may hold anything.
    expect(unknownCustomKeys({ fail: { any: { thing: 1 } } }, declared)).toEqual([]);
  });

  test("an agent that declares nothing is not checked; a non-object custom has no keys", () => {
    expect(unknownCustomKeys({ anything: 1 }, undefined)).toEqual([]);
    expect(unknownCustomKeys(null, declared)).toEqual([]);
    expect(declaredCustomKeys({ customKeys: ["a", "b"] })).toEqual(["a", "b"]);
    expect(declaredCustomKeys({ customKeys: [1] })).toBeUndefined();
    expect(declaredCustomKeys({})).toBeUndefined();
  });

  test("at most 20 keys are reported, and the description names each", () => {
    const many = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, i]));
    expect(unknownCustomKeys(many, ["x"])).toHaveLength(20);
    expect(describeUnknownCustomKeys([{ path: "custom.a", suggestion: "b" }, { path: "custom.c" }])).toBe(
      'custom.a (did you mean "b"?); custom.c',
    );
  });

  test("closest names fold case and separators, and refuse far-off names", () => {
    expect(closestName("duration_seconds", ["durationSeconds", "fail"])).toBe("durationSeconds");
    expect(closestName("interfce", ["interface", "id", "type"])).toBe("interface");
    expect(closestName("banana", ["interface", "id", "type"])).toBeUndefined();
    expect(closestName("alhpa", ["alpha", "beta"])).toBe("alpha"); // a transposition is one edit
  });
});
