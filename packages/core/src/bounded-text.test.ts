import { boundStatusDetails, clipClientValue } from "./bounded-text";

test("short values are quoted whole, long ones by a 200-character prefix and their size", () => {
  expect(clipClientValue("spark")).toBe("spark");
  expect(clipClientValue("x".repeat(200))).toBe("x".repeat(200));
  expect(clipClientValue("x".repeat(1_048_576))).toBe(`${"x".repeat(200)}… (1048576 bytes)`);
  // The size is in UTF-8 bytes; a surrogate pair is never split.
  expect(clipClientValue(`${"a".repeat(199)}😀tail`)).toBe(`${"a".repeat(199)}… (207 bytes)`);
});

test("status details are cut at the limit, saying how long they were", () => {
  expect(boundStatusDetails("short")).toBe("short");
  const cut = boundStatusDetails("y".repeat(10_000));
  expect(cut).toBe(`${"y".repeat(2048)}… (message cut; 10000 characters)`);
});
