import { createHash, createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";

/** The Flyte secret holding the PEM private key (PKCS#8, optionally encrypted). */
export const PRIVATE_KEY_SECRET = "snowflake_private_key";
/** The Flyte secret holding the passphrase of an encrypted private key. */
export const PASSPHRASE_SECRET = "snowflake_private_key_passphrase";

/** A key problem, described without the key: the message names the secret at fault. */
export class KeyPairError extends Error {}

/** A loaded key pair: the private key to sign with and its public key fingerprint. */
export interface KeyPair {
  readonly privateKey: KeyObject;
  /** `SHA256:<base64 of sha256 of the DER public key>`, as Snowflake shows in `RSA_PUBLIC_KEY_FP`. */
  readonly fingerprint: string;
}

/**
 * Loads a PEM private key (PKCS#8 or PKCS#1 RSA; encrypted PKCS#8 with its passphrase) and
 * computes its public key fingerprint. Throws a {@link KeyPairError} naming the secret that is
 * wrong; neither the key nor the passphrase appears in it.
 */
export function loadKeyPair(pem: string, passphrase: string | undefined): KeyPair {
  const text = pem.trim();
  if (!/^-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) {
    throw new KeyPairError(`${PRIVATE_KEY_SECRET} is not a PEM private key (expected "-----BEGIN PRIVATE KEY-----")`);
  }
  const encrypted = text.startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----");
  if (encrypted && !passphrase) {
    throw new KeyPairError(`${PRIVATE_KEY_SECRET} is encrypted: set the secret ${PASSPHRASE_SECRET}`);
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: text, format: "pem", ...(encrypted ? { passphrase } : {}) });
  } catch {
    throw new KeyPairError(
      encrypted
        ? `${PASSPHRASE_SECRET} does not decrypt ${PRIVATE_KEY_SECRET} (wrong passphrase or damaged key)`
        : `${PRIVATE_KEY_SECRET} cannot be read as a PEM private key`,
    );
  }
  if (privateKey.asymmetricKeyType !== "rsa") {
    throw new KeyPairError(
      `${PRIVATE_KEY_SECRET} is a ${privateKey.asymmetricKeyType ?? "non-asymmetric"} key; Snowflake key-pair authentication needs RSA`,
    );
  }
  return { privateKey, fingerprint: publicKeyFingerprint(privateKey) };
}

/** `SHA256:` + base64 of the sha256 of the DER (SubjectPublicKeyInfo) public key. */
export function publicKeyFingerprint(key: KeyObject): string {
  const der = createPublicKey(key).export({ type: "spki", format: "der" });
  return `SHA256:${createHash("sha256").update(der).digest("base64")}`;
}
