import { createPrivateKey, createPublicKey, generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { redactedValueCount, redactSecrets } from "@flyte-agent/core";
import { JwtCache, jwtClaims } from "../src/jwt";
import { KeyPairError, loadKeyPair } from "../src/key-pair";
import { generateTestKeyPair, verifyKeyPairJwt } from "../src/testing";

const plain = generateTestKeyPair();
const encrypted = generateTestKeyPair("correct horse battery staple");

function decodeClaims(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString("utf8")) as Record<string, unknown>;
}

/** The PKCS#8 PEM of an encrypted key, decrypted (with node:crypto, not the code under test). */
function plainPemOf(encryptedPem: string): string {
  return createPrivateKey({ key: encryptedPem, passphrase: "correct horse battery staple" })
    .export({ type: "pkcs8", format: "pem" })
    .toString();
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

const fixture = (name: string) => readFileSync(join(__dirname, "fixtures", name), "utf8");

test("the fingerprint of a fixed key is the one openssl computed for it (fixtures/README.md)", () => {
  const known = fixture("test-only-rsa-key.fingerprint").trim();
  expect(known).toBe("SHA256:HQDBHuSIWf7TtQ4EmneoedqW8ULHjrd7LJKySWlJZRE=");
  expect(loadKeyPair(fixture("test-only-rsa-key.p8"), undefined).fingerprint).toBe(known);
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

test("an encrypted PKCS#8 key loads with its passphrase and has the fingerprint of the same key unencrypted", () => {
  const keyPair = loadKeyPair(encrypted.privateKeyPem, "correct horse battery staple");
  expect(encrypted.privateKeyPem).toContain("ENCRYPTED PRIVATE KEY");
  expect(keyPair.fingerprint).toBe(loadKeyPair(plainPemOf(encrypted.privateKeyPem), undefined).fingerprint);
  expect(keyPair.fingerprint).not.toBe(loadKeyPair(plain.privateKeyPem, undefined).fingerprint);
});

test("renewing 10,000 tokens keeps the redaction set the same size: expired tokens leave it", () => {
  let now = 1_800_000_000_000;
  const timing = { lifetimeSeconds: 600, renewBeforeSeconds: 120 };
  const cache = new JwtCache(timing, () => now);
  const keyPair = loadKeyPair(plain.privateKeyPem, undefined);
  let previous = cache.token("A", "U", keyPair);
  // Each step passes the renewal point, so every call signs a new token.
  const step = (timing.lifetimeSeconds - timing.renewBeforeSeconds + 1) * 1000;
  now += step;
  previous = cache.token("A", "U", keyPair);
  const sizes = new Set<number>();
  const base = redactedValueCount();
  for (let i = 0; i < 10_000; i++) {
    now += step;
    const token = cache.token("A", "U", keyPair);
    expect(token).not.toBe(previous);
    previous = token;
    sizes.add(redactedValueCount());
  }
  expect(cache.issued).toBe(10_002);
  // The one before still has 119 s to live, so it stays redacted; all older ones are gone.
  expect([...sizes]).toEqual([base]);
  expect(redactSecrets(`token ${previous}`)).toBe("token [REDACTED]");
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
