import { generateKeyPairSync } from "node:crypto";

/** An RSA key pair in PEM, as a user would register it with Snowflake. */
export interface TestKeyPair {
  /** PKCS#8 private key (`-----BEGIN PRIVATE KEY-----`, or `ENCRYPTED PRIVATE KEY` with a passphrase). */
  readonly privateKeyPem: string;
  /** SubjectPublicKeyInfo public key (`-----BEGIN PUBLIC KEY-----`). */
  readonly publicKeyPem: string;
}

/** Generates a 2048-bit RSA key pair; with `passphrase`, the private key is encrypted (AES-256-CBC). */
export function generateTestKeyPair(passphrase?: string): TestKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: passphrase
      ? { type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase }
      : { type: "pkcs8", format: "pem" },
  });
  return { privateKeyPem: privateKey, publicKeyPem: publicKey };
}
