import { createHash } from "node:crypto";
import { verifySigV4 } from "../src/testing";

// The "get-vanilla" case of AWS's Signature Version 4 test suite: its published signature.
const VANILLA = {
  method: "GET",
  path: "/",
  query: "",
  headers: {
    host: "example.amazonaws.com",
    "x-amz-date": "20150830T123600Z",
    authorization:
      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
  },
  body: Buffer.alloc(0),
};
const EXPECT = {
  keys: { AKIDEXAMPLE: { secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" } },
  region: "us-east-1",
  service: "service",
  now: Date.UTC(2015, 7, 30, 12, 36, 0),
};

test("accepts the published signature of AWS's get-vanilla test case", () => {
  expect(verifySigV4(VANILLA, EXPECT)).toEqual({
    ok: true,
    identity: { accessKeyId: "AKIDEXAMPLE", region: "us-east-1", service: "service" },
  });
});

test("refuses the same request with another secret, path, body or header value", () => {
  const refused = (parts: typeof VANILLA, expect = EXPECT) => {
    const result = verifySigV4(parts, expect);
    return result.ok ? undefined : result.refusal.code;
  };
  expect(refused(VANILLA, { ...EXPECT, keys: { AKIDEXAMPLE: { secretAccessKey: "other" } } })).toBe("InvalidSignatureException");
  expect(refused({ ...VANILLA, path: "/x" })).toBe("InvalidSignatureException");
  expect(refused({ ...VANILLA, body: Buffer.from("{}") })).toBe("InvalidSignatureException");
  expect(refused({ ...VANILLA, headers: { ...VANILLA.headers, host: "example.amazonaws.com:443" } })).toBe(
    "InvalidSignatureException",
  );
});

test("checks the credential scope's region and service, the key, the clock and the session token", () => {
  const code = (expect: Parameters<typeof verifySigV4>[1]) => {
    const result = verifySigV4(VANILLA, expect);
    return result.ok ? "ok" : `${result.refusal.code}: ${result.refusal.message}`;
  };
  expect(code({ ...EXPECT, region: "eu-west-1" })).toMatch(
    /^InvalidSignatureException: Credential should be scoped to a valid region/,
  );
  expect(code({ ...EXPECT, service: "sagemaker" })).toMatch(
    /^InvalidSignatureException: Credential should be scoped to correct service/,
  );
  expect(code({ ...EXPECT, keys: {} })).toMatch(/^UnrecognizedClientException/);
  expect(code({ ...EXPECT, now: EXPECT.now + 16 * 60_000 })).toMatch(/^InvalidSignatureException: Signature expired/);
  expect(code({ ...EXPECT, keys: { AKIDEXAMPLE: { ...EXPECT.keys.AKIDEXAMPLE, sessionToken: "tok" } } })).toMatch(
    /^UnrecognizedClientException/,
  );
});

test("refuses missing or malformed Authorization headers with AWS's codes", () => {
  const without = { ...VANILLA, headers: { host: "example.amazonaws.com", "x-amz-date": "20150830T123600Z" } };
  const r1 = verifySigV4(without, EXPECT);
  expect(r1.ok ? "" : r1.refusal.code).toBe("MissingAuthenticationTokenException");
  const partial = {
    ...VANILLA,
    headers: {
      ...VANILLA.headers,
      authorization: "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request",
    },
  };
  const r2 = verifySigV4(partial, EXPECT);
  expect(r2.ok ? "" : r2.refusal.code).toBe("IncompleteSignatureException");
  // A payload hash header, when sent, is what the signature covers.
  const hashed = verifySigV4(
    { ...VANILLA, headers: { ...VANILLA.headers, "x-amz-content-sha256": createHash("sha256").update("").digest("hex") } },
    EXPECT,
  );
  expect(hashed.ok).toBe(true);
});
