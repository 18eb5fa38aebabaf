import { plainResponse } from "../src/plain-output";

test("drops $metadata, turns dates into ISO 8601 and UTF-8 bodies into text, other bytes into base64", () => {
  expect(
    plainResponse({
      $metadata: { httpStatusCode: 200, requestId: "r" },
      Body: new TextEncoder().encode('{"score": 0.9} ü'),
      Raw: new Uint8Array([0xff, 0x00, 0x80]),
      CreationTime: new Date(Date.UTC(2026, 11, 7, 10, 0, 0, 123)),
      Nested: [{ When: new Date(0), Skip: undefined }],
      Count: 3,
      Missing: null,
    }),
  ).toEqual({
    Body: '{"score": 0.9} ü',
    Raw: "/wCA",
    CreationTime: "2026-12-07T10:00:00.123Z",
    Nested: [{ When: "1970-01-01T00:00:00.000Z" }],
    Count: 3,
    Missing: null,
  });
});
