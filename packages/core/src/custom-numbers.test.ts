import { integralFloatsToIntegers, MAX_CUSTOM_DEPTH } from "./custom-numbers";
import { TaskInputError } from "./errors";
import { flyteidl } from "./index";

const { protobuf } = flyteidl;

describe("integralFloatsToIntegers", () => {
  it("sends flytekit's whole floats as JSON integers after a trip through a protobuf Struct", () => {
    // chatgpt_config as flytekit writes it: every number a double in the Struct
    const written = protobuf.Struct.encode(
      protobuf.Struct.wrap({ model: "gpt-4o-mini", max_tokens: 10.0, temperature: 0.5, n: [1.0, -0.0] }),
    ).finish();
    const custom = protobuf.Struct.unwrap(protobuf.Struct.decode(written));
    const out = integralFloatsToIntegers(custom);
    expect(JSON.stringify(out)).toBe('{"model":"gpt-4o-mini","max_tokens":10,"temperature":0.5,"n":[1,0]}');
  });

  it("turns int inputs (bigint) into numbers, and refuses what JSON cannot carry exactly", () => {
    expect(integralFloatsToIntegers({ a: 3n, b: -(2n ** 53n) })).toEqual({ a: 3, b: -(2 ** 53) });
    expect(() => integralFloatsToIntegers({ a: 2n ** 53n + 1n })).toThrow(TaskInputError);
    expect(() => integralFloatsToIntegers({ a: [Number.NaN] }, "chatgpt_config")).toThrow(
      /^chatgpt_config\.a\[0\]: NaN is not a number JSON can carry/,
    );
    expect(() => integralFloatsToIntegers({ d: new Date(0) })).toThrow(/custom\.d: a date is not a JSON value/);
  });

  it("drops undefined fields as JSON does, and refuses nesting beyond its limit", () => {
    expect(integralFloatsToIntegers({ a: undefined, b: 1 })).toEqual({ b: 1 });
    let deep: unknown = 1;
    for (let i = 0; i < MAX_CUSTOM_DEPTH; i++) deep = [deep];
    expect(() => integralFloatsToIntegers(deep)).not.toThrow();
    expect(() => integralFloatsToIntegers([deep])).toThrow(/nested deeper than 64 levels/);
  });
});
