import { admin } from "@flyte-agent/flyteidl";
import { forEachLengthDelimited, type WireField } from "./wire-fields";

function fields(bytes: Uint8Array): WireField[] {
  const out: WireField[] = [];
  forEachLengthDelimited(bytes, 0, bytes.length, (f) => out.push(f));
  return out;
}

describe("forEachLengthDelimited", () => {
  it("lists the length-delimited fields in wire order and skips the others", () => {
    const bytes = admin.GetTaskRequest.encode({
      taskType: "t",
      resourceMeta: Buffer.from("meta"),
      taskCategory: { name: "c", version: 300 },
      outputPrefix: "p",
    }).finish();
    const found = fields(bytes);
    expect(found.map((f) => f.field)).toEqual([1, 2, 3, 4]);
    expect(Buffer.from(bytes.subarray(found[1]!.start, found[1]!.end)).toString()).toBe("meta");
    const category = found[2]!;
    const inner: number[] = [];
    forEachLengthDelimited(bytes, category.start, category.end, (f) => inner.push(f.field));
    expect(inner).toEqual([1]);
  });

  it.each([
    ["a truncated field", [0x0a, 0x05, 0x61]],
    ["an unterminated varint", [0x08, 0xff]],
    ["field number 0", [0x02, 0x00]],
    ["a group wire type", [0x0b]],
  ])("throws on %s", (_what, bytes) => {
    expect(() => fields(Uint8Array.from(bytes))).toThrow(RangeError);
  });
});
