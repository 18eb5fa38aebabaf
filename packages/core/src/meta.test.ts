import { InvalidMetaError } from "./errors";
import { expectMetaFields, jsonMetaCodec } from "./meta";

interface M {
  id: string;
  n: number;
  note?: string;
}

describe("resource metadata", () => {
  const codec = jsonMetaCodec((v) => expectMetaFields<M>(v, { id: "string", n: "number", note: "string?" }));

  it("round-trips compact JSON", () => {
    const bytes = codec.encode({ id: "a", n: 1 });
    expect(Buffer.from(bytes).toString()).toBe('{"id":"a","n":1}');
    expect(codec.decode(bytes)).toEqual({ id: "a", n: 1 });
  });

  it("refuses bytes that are not JSON, not an object, or of another shape", () => {
    expect(() => codec.decode(Buffer.from("{"))).toThrow(InvalidMetaError);
    expect(() => codec.decode(Buffer.from("[1]"))).toThrow(/must be a JSON object/);
    expect(() => codec.decode(Buffer.from('{"jobId":"x"}'))).toThrow(/missing field "id"/);
    expect(() => codec.decode(Buffer.from('{"id":"x","n":"1"}'))).toThrow(/field "n" must be a number, got string/);
    expect(() => codec.decode(Buffer.from('{"id":"x","n":1,"note":3}'))).toThrow(/field "note" must be a string/);
  });
});
