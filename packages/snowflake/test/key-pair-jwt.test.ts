import { createHash, createPublicKey, generateKeyPairSync } from "node:crypto";
import { JwtCache, jwtClaims } from "../src/jwt";
import { KeyPairError, loadKeyPair } from "../src/key-pair";
import { generateTestKeyPair, verifyKeyPairJwt } from "../src/testing";

const plain = generateTestKeyPair();
const encrypted = generateTestKeyPair("correct horse battery staple");

function decodeClaims(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString("utf8")) as Record<string, unknown>;
}

function keyError(fn: () => unknown): KeyPairError {
  try {
    fn();
  } catch (err) {
    if (err instanceof KeyPairError) return err;
    throw err;
  }
  throw new Error("expected a KeyPairError");
}

test("the fingerprint is SHA256: + base64 of the sha256 of the public key's DER", () => {
  const der = createPublicKey(plain.publicKeyPem).export({ type: "spki", format: "der" });
  const expected = `SHA256:${createHash("sha256").update(der).digest("base64")}`;
  expect(loadKeyPair(plain.privateKeyPem, undefined).fingerprint).toBe(expected);
  expect(expected).toMatch(/^SHA256:[A-Za-z0-9+/]{43}=$/);
});

test("claims: issuer ACCOUNT.USER.SHA256:fp, subject ACCOUNT.USER, upper case, expiry = iat + lifetime", () => {
  expect(jwtClaims("myorg-analytics", "flyte_runner", "SHA256:abc=", 1_700_000_000, 600)).toEqual({
    iss: "MYORG-ANALYTICS.FLYTE_RUNNER.SHA256:abc=",
    sub: "MYORG-ANALYTICS.FLYTE_RUNNER",
    iat: 1_700_000_000,
    exp: 1_700_000_600,
  });
});

test("a signed token verifies against the public key with independent code, and not against another key", () => {
  const cache = new JwtCache({ lifetimeSeconds: 300, renewBeforeSeconds: 60 });
  const token = cache.token("MYORG-ANALYTICS", "flyte_runner", loadKeyPair(plain.privateKeyPem, undefined));
  const identity = { account: "myorg-analytics", user: "FLYTE_RUNNER" };
  const check = verifyKeyPairJwt(token, { ...identity, publicKey: createPublicKey(plain.publicKeyPem) });
  expect(check).toMatchObject({ ok: true, sub: "MYORG-ANALYTICS.FLYTE_RUNNER" });
  if (!check.ok) throw new Error(check.reason);
  expect(check.exp - check.iat).toBe(300);
  const other = generateTestKeyPair();
  expect(verifyKeyPairJwt(token, { ...identity, publicKey: createPublicKey(other.publicKeyPem) })).toEqual({
    ok: false,
    reason: "bad signature",
  });
  expect(verifyKeyPairJwt(token, { ...identity, publicKey: createPublicKey(plain.publicKeyPem) }, check.exp + 1)).toEqual({
    ok: false,
    reason: "expired",
  });
});

test("tokens are cached and renewed once less than renewBeforeSeconds remain", () => {
  let now = 1_700_000_000_000;
  const cache = new JwtCache({ lifetimeSeconds: 600, renewBeforeSeconds: 120 }, () => now);
  const keyPair = loadKeyPair(plain.privateKeyPem, undefined);
  const first = cache.token("A", "U", keyPair);
  now += 479_000; // 121 s left
  expect(cache.token("A", "U", keyPair)).toBe(first);
  expect(cache.issued).toBe(1);
  now += 2_000; // 119 s left
  const renewed = cache.token("A", "U", keyPair);
  expect(renewed).not.toBe(first);
  expect(cache.issued).toBe(2);
  expect(decodeClaims(renewed).iat).toBe(Math.floor(now / 1000));
  // Another user or another key never shares a token.
  expect(cache.token("A", "OTHER", keyPair)).not.toBe(renewed);
  expect(cache.token("A", "U", loadKeyPair(encrypted.privateKeyPem, "correct horse battery staple"))).not.toBe(renewed);
});

test("an encrypted PKCS#8 key loads with its passphrase and yields the fingerprint of its public key", () => {
  const keyPair = loadKeyPair(encrypted.privateKeyPem, "correct horse battery staple");
  const der = createPublicKey(encrypted.publicKeyPem).export({ type: "spki", format: "der" });
  expect(keyPair.fingerprint).toBe(`SHA256:${createHash("sha256").update(der).digest("base64")}`);
  expect(encrypted.privateKeyPem).toContain("ENCRYPTED PRIVATE KEY");
});

test("key problems name the secret at fault and never carry key material", () => {
  const cases: Array<[string, string | undefined, RegExp]> = [
    [encrypted.privateKeyPem, undefined, /^snowflake_private_key is encrypted: set the secret snowflake_private_key_passphrase$/],
    [encrypted.privateKeyPem, "not-the-passphrase", /^snowflake_private_key_passphrase does not decrypt snowflake_private_key/],
    ["MIIEvQIBADANBgkqhkiG9w0BAQEFAASC", undefined, /^snowflake_private_key is not a PEM private key/],
    ["-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----", undefined, /^snowflake_private_key cannot be read/],
  ];
  for (const [pem, passphrase, message] of cases) {
    const err = keyError(() => loadKeyPair(pem, passphrase));
    expect(err.message).toMatch(message);
    expect(err.message).not.toContain("MII");
    expect(err.message).not.toContain("not-the-passphrase");
  }
  const ec = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  expect(keyError(() => loadKeyPair(ec, undefined)).message).toBe(
    "snowflake_private_key is a ec key; Snowflake key-pair authentication needs RSA",
  );
});

test("lifetimes outside Snowflake's one hour are refused", () => {
  expect(() => new JwtCache({ lifetimeSeconds: 3601, renewBeforeSeconds: 60 })).toThrow(/lifetimeSeconds/);
  expect(() => new JwtCache({ lifetimeSeconds: 60, renewBeforeSeconds: 60 })).toThrow(/renewBeforeSeconds/);
});
