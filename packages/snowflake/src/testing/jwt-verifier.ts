import { createHash, createPublicKey, type KeyObject, verify } from "node:crypto";

/** What the fake expects of a key-pair JWT. */
export interface ExpectedIdentity {
  /** Account part of the JWT (compared upper case), e.g. `MYORG-MYACCOUNT`. */
  readonly account: string;
  /** User (compared upper case). */
  readonly user: string;
  /** The public key registered on the user (RSA_PUBLIC_KEY). */
  readonly publicKey: KeyObject;
}

/** The verified claims, or why the token was refused. */
export type JwtCheck =
  | { readonly ok: true; readonly iss: string; readonly sub: string; readonly iat: number; readonly exp: number }
  | { readonly ok: false; readonly reason: string };

/** `SHA256:<base64>` of a public key's DER SubjectPublicKeyInfo (Snowflake's RSA_PUBLIC_KEY_FP). */
export function fingerprintOf(publicKey: KeyObject): string {
  const key = publicKey.type === "public" ? publicKey : createPublicKey(publicKey);
  return `SHA256:${createHash("sha256")
    .update(key.export({ type: "spki", format: "der" }))
    .digest("base64")}`;
}

function decodeJson(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Verifies a key-pair JWT the way Snowflake does: RS256 signature by the registered public key,
 * issuer `ACCOUNT.USER.SHA256:<fingerprint>`, subject `ACCOUNT.USER`, not expired, and a
 * lifetime of at most one hour. Written independently of the plugin's signer.
 */
export function verifyKeyPairJwt(token: string, expected: ExpectedIdentity, nowSeconds = Date.now() / 1000): JwtCheck {
  const parts = token.split(".");
  if (parts.length !== 3) return { ok: false, reason: "not a JWT" };
  const [headPart = "", claimsPart = "", signaturePart = ""] = parts;
  const head = decodeJson(headPart);
  const claims = decodeJson(claimsPart);
  if (!head || !claims) return { ok: false, reason: "undecodable JWT" };
  if (head.alg !== "RS256") return { ok: false, reason: `unsupported alg ${String(head.alg)}` };
  const signed = verify(
    "RSA-SHA256",
    Buffer.from(`${headPart}.${claimsPart}`),
    expected.publicKey,
    Buffer.from(signaturePart, "base64url"),
  );
  if (!signed) return { ok: false, reason: "bad signature" };
  const qualified = `${expected.account.toUpperCase()}.${expected.user.toUpperCase()}`;
  const iss = claims.iss;
  const sub = claims.sub;
  const iat = claims.iat;
  const exp = claims.exp;
  if (typeof iss !== "string" || typeof sub !== "string" || typeof iat !== "number" || typeof exp !== "number") {
    return { ok: false, reason: "missing claims" };
  }
  if (iss !== `${qualified}.${fingerprintOf(expected.publicKey)}`) return { ok: false, reason: `unexpected issuer ${iss}` };
  if (sub !== qualified) return { ok: false, reason: `unexpected subject ${sub}` };
  if (exp <= nowSeconds) return { ok: false, reason: "expired" };
  if (exp - iat > 3600) return { ok: false, reason: "lifetime longer than one hour" };
  if (iat > nowSeconds + 60) return { ok: false, reason: "issued in the future" };
  return { ok: true, iss, sub, iat, exp };
}
