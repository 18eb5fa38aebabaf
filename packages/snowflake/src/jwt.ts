import { createHash, sign } from "node:crypto";
import { registerSecretValue } from "@flyte-agent/core";
import type { KeyPair } from "./key-pair";

/** Lifetime and renewal of key-pair JWTs. */
export interface JwtTiming {
  /** Lifetime of a token (Snowflake accepts at most one hour). */
  readonly lifetimeSeconds: number;
  /** A cached token with less than this left is replaced. */
  readonly renewBeforeSeconds: number;
}

/** The claims of a Snowflake key-pair JWT. */
export interface JwtClaims {
  /** `ACCOUNT.USER.SHA256:<fingerprint>` */
  readonly iss: string;
  /** `ACCOUNT.USER` */
  readonly sub: string;
  readonly iat: number;
  readonly exp: number;
}

const base64url = (data: string | Buffer) => Buffer.from(data).toString("base64url");

/** The claims for `account` (JWT form, see {@link AccountIdentifier.jwtAccount}) and `user`, issued at `nowSeconds`. */
export function jwtClaims(
  jwtAccount: string,
  user: string,
  fingerprint: string,
  nowSeconds: number,
  lifetimeSeconds: number,
): JwtClaims {
  const qualified = `${jwtAccount.toUpperCase()}.${user.toUpperCase()}`;
  return { iss: `${qualified}.${fingerprint}`, sub: qualified, iat: nowSeconds, exp: nowSeconds + lifetimeSeconds };
}

/** Signs the claims with RS256. */
export function signJwt(claims: JwtClaims, keyPair: KeyPair): string {
  const head = `${base64url(JSON.stringify({ alg: "RS256", typ: "JWT" }))}.${base64url(JSON.stringify(claims))}`;
  const signature = sign("sha256", Buffer.from(head), keyPair.privateKey);
  return `${head}.${base64url(signature)}`;
}

/**
 * Issues key-pair JWTs and keeps one per account, user and key until it is close to expiry, so
 * most requests reuse a token. Every token is registered as a secret value (scrubbed from logs
 * and errors) until it expires.
 */
export class JwtCache {
  private readonly tokens = new Map<string, { token: string; exp: number }>();
  /** Tokens signed so far (for tests and metrics). */
  issued = 0;

  constructor(
    private readonly timing: JwtTiming,
    private readonly now: () => number = Date.now,
  ) {
    if (!(timing.lifetimeSeconds > 0 && timing.lifetimeSeconds <= 3600)) {
      throw new RangeError(`jwt.lifetimeSeconds must be in (0, 3600], got ${timing.lifetimeSeconds}`);
    }
    if (!(timing.renewBeforeSeconds >= 0 && timing.renewBeforeSeconds < timing.lifetimeSeconds)) {
      throw new RangeError(`jwt.renewBeforeSeconds must be in [0, lifetimeSeconds), got ${timing.renewBeforeSeconds}`);
    }
  }

  /** A valid token for this account, user and key: the cached one, or a new one. */
  token(jwtAccount: string, user: string, keyPair: KeyPair): string {
    const key = createHash("sha256")
      .update(`${jwtAccount.toUpperCase()}\0${user.toUpperCase()}\0${keyPair.fingerprint}`)
      .digest("hex");
    const nowSeconds = Math.floor(this.now() / 1000);
    const cached = this.tokens.get(key);
    if (cached && cached.exp - nowSeconds > this.timing.renewBeforeSeconds) return cached.token;
    const claims = jwtClaims(jwtAccount, user, keyPair.fingerprint, nowSeconds, this.timing.lifetimeSeconds);
    const token = signJwt(claims, keyPair);
    // Redacted until it expires: an expired token opens nothing, and the set stays the size of the valid tokens.
    registerSecretValue(token, { expiresAt: claims.exp * 1000, now: nowSeconds * 1000 });
    this.issued += 1;
    if (this.tokens.size > 1000) this.tokens.clear();
    this.tokens.set(key, { token, exp: claims.exp });
    return token;
  }
}
