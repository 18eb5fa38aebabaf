import { boundStatusDetails, clipClientValue } from "./bounded-text";

test("short values are quoted whole, long ones by a 200-character prefix and their size", () => {
  expect(clipClientValue("spark")).toBe("spark");
  expect(clipClientValue("x".repeat(200))).toBe("x".repeat(200));
  expect(clipClientValue("x".repeat(1_048_576))).toBe(`${"x".repeat(200)}… (1048576 bytes)`);
  // The size is in UTF-8 bytes; a surrogate pair is never split.
  expect(clipClientValue(`${"a".repeat(199)}😀tail`)).toBe(`${"a".repeat(199)}… (207 bytes)`);
});

test("status details are cut to 2 KiB of UTF-8, saying how long they were, without splitting a character", () => {
  expect(boundStatusDetails("short")).toBe("short");
  const ascii = boundStatusDetails("y".repeat(10_000));
  expect(ascii).toMatch(/^y+… \(message cut; 10000 bytes\)$/);
  expect(Buffer.byteLength(ascii)).toBeLessThanOrEqual(2048);
  const wide = boundStatusDetails("é".repeat(5_000));
  expect(wide).toMatch(/^é+… \(message cut; 10000 bytes\)$/);
  expect(Buffer.byteLength(wide)).toBeLessThanOrEqual(2048);
  // Under the limit in bytes, though long in characters: unchanged.
  expect(boundStatusDetails("z".repeat(2000))).toBe("z".repeat(2000));
});
