import { applyHeapGrowth, DEFAULT_HEAP_GROWTH_PERCENT } from "./heap-growth";

describe("applyHeapGrowth", () => {
  test("a --heap-growing-percent given to node itself wins", () => {
    expect(applyHeapGrowth(DEFAULT_HEAP_GROWTH_PERCENT, ["--heap-growing-percent=150"])).toBe("node-option");
    expect(applyHeapGrowth(DEFAULT_HEAP_GROWTH_PERCENT, ["--heap_growing_percent", "150"])).toBe("node-option");
  });

  test("0 leaves V8's own choice", () => {
    expect(applyHeapGrowth(0, [])).toBe("v8-default");
  });

  test("otherwise the percentage is set as V8's flag", () => {
    expect(applyHeapGrowth(DEFAULT_HEAP_GROWTH_PERCENT, ["--max-semi-space-size=8"])).toBe("flag");
  });
});
