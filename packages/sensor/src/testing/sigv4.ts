import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";

/** The keys the fake accepts. */
export interface SigV4Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** When set, requests must carry it as `x-amz-security-token`. */
  readonly sessionToken?: string;
}

/** Why a request's signature was refused: S3's error code, HTTP status and message. */
export interface SigV4Refusal {
  readonly status: number;
  readonly code: string;
  readonly message: string;
}

/** The SHA-256 of an empty body, as S3 expects it in `x-amz-content-sha256`. */
export const EMPTY_SHA256 = createHash("sha256").update("").digest("hex");

const hex = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");
const hmac = (key: Buffer | string, data: string) => createHmac("sha256", key).update(data, "utf8").digest();

/** RFC 3986 encoding as SigV4 defines it: everything but `A-Za-z0-9-_.~` as %XX (upper case). */
function encodeRfc3986(text: string): string {
  return Array.from(Buffer.from(text, "utf8"))
    .map((b) => {
      const c = String.fromCharCode(b);
      return /[A-Za-z0-9\-_.~]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
    })
    .join("");
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(",") : v;
}

/** S3's canonical URI: each path segment decoded, then encoded once (slashes kept). */
function canonicalUri(rawPath: string): string {
  return rawPath
    .split("/")
    .map((segment) => encodeRfc3986(decodeURIComponent(segment)))
    .join("/");
}

/** The canonical query: names and values decoded, re-encoded, sorted by name then value. */
function canonicalQuery(rawQuery: string): string {
  if (rawQuery === "") return "";
  return rawQuery
    .split("&")
    .filter((p) => p !== "")
    .map((pair) => {
      const eq = pair.indexOf("=");
      const name = decodeURIComponent((eq === -1 ? pair : pair.slice(0, eq)).replace(/\+/g, "%20"));
      const value = eq === -1 ? "" : decodeURIComponent(pair.slice(eq + 1).replace(/\+/g, "%20"));
      return [encodeRfc3986(name), encodeRfc3986(value)] as const;
    })
    .sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? -1 : 1) : a[0] < b[0] ? -1 : 1))
    .map(([n, v]) => `${n}=${v}`)
    .join("&");
}

const AUTH =
  /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/([^/,\s]+),\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/;

/**
 * Verifies an AWS Signature Version 4 `Authorization` header the way S3 does (written from the
 * SigV4 specification): the credential scope (date, region, service `s3`, `aws4_request`), the
 * signed headers (host and every `x-amz-*` header must be signed), the request time (within 15
 * minutes), the payload hash, and the signature itself. Returns undefined when the request is
 * signed correctly, else the refusal S3 would answer.
 */
export function verifySigV4(
  request: { method: string; url: string; headers: IncomingHttpHeaders; body: Buffer },
  credentials: SigV4Credentials,
  region: string,
  now: Date = new Date(),
): SigV4Refusal | undefined {
  const authorization = header(request.headers, "authorization");
  if (!authorization) return { status: 403, code: "AccessDenied", message: "Anonymous access is forbidden for this operation" };
  const m = AUTH.exec(authorization);
  if (!m) return { status: 400, code: "AuthorizationHeaderMalformed", message: "The authorization header is malformed" };
  const [, accessKeyId, date, scopeRegion, service, terminator, signedHeaderList = "", signature = ""] = m;
  if (accessKeyId !== credentials.accessKeyId) {
    return {
      status: 403,
      code: "InvalidAccessKeyId",
      message: "The AWS Access Key Id you provided does not exist in our records.",
    };
  }
  if (service !== "s3" || terminator !== "aws4_request") {
    return { status: 400, code: "AuthorizationHeaderMalformed", message: `the service '${service}' is wrong; expecting 's3'` };
  }
  if (scopeRegion !== region) {
    return {
      status: 400,
      code: "AuthorizationHeaderMalformed",
      message: `The authorization header is malformed; the region '${scopeRegion}' is wrong; expecting '${region}'`,
    };
  }
  const amzDate = header(request.headers, "x-amz-date") ?? "";
  if (!/^\d{8}T\d{6}Z$/.test(amzDate) || amzDate.slice(0, 8) !== date) {
    return { status: 403, code: "AccessDenied", message: "X-Amz-Date is missing or does not match the credential scope" };
  }
  const signedAt = Date.UTC(
    +amzDate.slice(0, 4),
    +amzDate.slice(4, 6) - 1,
    +amzDate.slice(6, 8),
    +amzDate.slice(9, 11),
    +amzDate.slice(11, 13),
    +amzDate.slice(13, 15),
  );
  if (Math.abs(now.getTime() - signedAt) > 15 * 60_000) {
    return {
      status: 403,
      code: "RequestTimeTooSkewed",
      message: "The difference between the request time and the current time is too large.",
    };
  }
  const signed = signedHeaderList.split(";");
  const mustSign = ["host", ...Object.keys(request.headers).filter((h) => h.startsWith("x-amz-"))];
  const unsigned = mustSign.filter((h) => !signed.includes(h));
  if (unsigned.length > 0) {
    return {
      status: 403,
      code: "AccessDenied",
      message: `There were headers present in the request which were not signed: ${unsigned.join(", ")}`,
    };
  }
  if (credentials.sessionToken !== undefined && header(request.headers, "x-amz-security-token") !== credentials.sessionToken) {
    return { status: 403, code: "InvalidToken", message: "The provided token is malformed or otherwise invalid." };
  }
  const payloadHash = header(request.headers, "x-amz-content-sha256");
  if (!payloadHash)
    return { status: 400, code: "InvalidRequest", message: "Missing required header for this request: x-amz-content-sha256" };
  if (payloadHash !== "UNSIGNED-PAYLOAD" && payloadHash !== hex(request.body)) {
    return {
      status: 400,
      code: "XAmzContentSHA256Mismatch",
      message: "The provided 'x-amz-content-sha256' header does not match what was computed.",
    };
  }

  const q = request.url.indexOf("?");
  const rawPath = q === -1 ? request.url : request.url.slice(0, q);
  const rawQuery = q === -1 ? "" : request.url.slice(q + 1);
  const canonicalHeaders = signed
    .map((name) => `${name}:${(header(request.headers, name) ?? "").trim().replace(/\s+/g, " ")}\n`)
    .join("");
  const canonicalRequest = [
    request.method,
    canonicalUri(rawPath),
    canonicalQuery(rawQuery),
    canonicalHeaders,
    signedHeaderList,
    payloadHash,
  ].join("\n");
  const scope = `${date}/${scopeRegion}/${service}/${terminator}`;
  const stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, hex(canonicalRequest)].join("\n");
  const key = hmac(
    hmac(hmac(hmac(`AWS4${credentials.secretAccessKey}`, date ?? ""), scopeRegion ?? ""), service ?? ""),
    terminator ?? "",
  );
  const expected = createHmac("sha256", key).update(stringToSign, "utf8").digest();
  if (!timingSafeEqual(expected, Buffer.from(signature, "hex"))) {
    return {
      status: 403,
      code: "SignatureDoesNotMatch",
      message:
        "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
    };
  }
  return undefined;
}
