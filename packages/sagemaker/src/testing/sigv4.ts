import { createHash, createHmac, timingSafeEqual } from "node:crypto";

/** An access key the fake accepts: its secret, and the session token it must come with (if any). */
export interface FakeAwsKey {
  secretAccessKey: string;
  sessionToken?: string;
}

/** What a request must be signed for. */
export interface SigningExpectation {
  /** Accepted access keys by id. */
  keys: ReadonlyMap<string, FakeAwsKey> | Record<string, FakeAwsKey>;
  /** The region the credential scope must name. */
  region: string;
  /** The signing name the credential scope must name (`sagemaker` for both SageMaker APIs). */
  service: string;
  /** Largest clock difference accepted. @default 15 minutes, as AWS */
  maxSkewMs?: number;
  /** The time to check X-Amz-Date against. @default Date.now() */
  now?: number;
}

/** The request parts SigV4 covers. */
export interface SignedRequestParts {
  method: string;
  /** The path as sent (already percent-encoded), without the query. */
  path: string;
  /** The raw query string, without `?`. */
  query: string;
  /** Header values by lower-case name (several values joined with `,`). */
  headers: Record<string, string>;
  body: Buffer;
}

/** Why a signature was refused: the AWS error code and message. */
export interface SignatureRefusal {
  status: number;
  code: string;
  message: string;
}

/** The verified identity of a request. */
export interface SignatureIdentity {
  accessKeyId: string;
  region: string;
  service: string;
}

const ALGORITHM = "AWS4-HMAC-SHA256";

const sha256Hex = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");
const hmac = (key: Buffer | string, data: string) => createHmac("sha256", key).update(data, "utf8").digest();

/** RFC 3986 percent-encoding as SigV4 asks for it (unreserved characters stay, everything else %XX upper case). */
function uriEncode(text: string): string {
  let out = "";
  for (const byte of Buffer.from(text, "utf8")) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-._~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** Decodes percent-escapes without rejecting stray `%` (as a lenient server would). */
function uriDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, "%20"));
  } catch {
    return text;
  }
}

/**
 * The canonical URI of a non-S3 service: every path segment is URI-encoded once more on top of
 * the encoding it was sent with (the SDK's and AWS's `uriEscapePath`), empty path = `/`.
 */
function canonicalUri(path: string): string {
  if (path === "" || path === "/") return "/";
  return path
    .split("/")
    .map((segment) => uriEncode(segment))
    .join("/");
}

function canonicalQuery(query: string): string {
  if (query === "") return "";
  const pairs = query
    .split("&")
    .filter((p) => p !== "")
    .map((p) => {
      const eq = p.indexOf("=");
      const name = eq < 0 ? p : p.slice(0, eq);
      const value = eq < 0 ? "" : p.slice(eq + 1);
      return [uriEncode(uriDecode(name)), uriEncode(uriDecode(value))] as const;
    })
    .filter(([name]) => name !== "X-Amz-Signature");
  pairs.sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0) : a[0] < b[0] ? -1 : 1));
  return pairs.map(([n, v]) => `${n}=${v}`).join("&");
}

const trimValue = (value: string) => value.trim().replace(/\s+/g, " ");

function parseAmzDate(text: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!m) return undefined;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}

const refuse = (status: number, code: string, message: string): SignatureRefusal => ({ status, code, message });

/**
 * Checks a request's `Authorization` header (AWS Signature Version 4, header form): the
 * algorithm, the credential scope (date, region, service, `aws4_request`), the access key, the
 * session token, the clock, and the signature itself, recomputed from the request with this
 * module's own canonicalisation. Returns the identity, or the AWS error the real service answers.
 */
export function verifySigV4(
  request: SignedRequestParts,
  expect: SigningExpectation,
): { ok: true; identity: SignatureIdentity } | { ok: false; refusal: SignatureRefusal } {
  const fail = (r: SignatureRefusal) => ({ ok: false as const, refusal: r });
  const auth = request.headers.authorization;
  if (!auth) return fail(refuse(400, "MissingAuthenticationTokenException", "Missing Authentication Token"));
  if (!auth.startsWith(`${ALGORITHM} `))
    return fail(refuse(400, "IncompleteSignatureException", `Unsupported authorization type: ${auth.split(" ")[0]}`));
  const fields: Record<string, string> = {};
  for (const part of auth.slice(ALGORITHM.length + 1).split(",")) {
    const eq = part.indexOf("=");
    if (eq > 0) fields[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  const { Credential: credential, SignedHeaders: signedHeaderList, Signature: signature } = fields;
  if (!credential || !signedHeaderList || !signature)
    return fail(
      refuse(400, "IncompleteSignatureException", "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature'"),
    );
  const scopeParts = credential.split("/");
  if (scopeParts.length !== 5 || scopeParts[4] !== "aws4_request")
    return fail(refuse(400, "IncompleteSignatureException", `Credential should be scoped to a valid region: ${credential}`));
  const [accessKeyId, scopeDate, region, service] = scopeParts as [string, string, string, string, string];
  const keys = expect.keys instanceof Map ? expect.keys : new Map(Object.entries(expect.keys));
  const key = keys.get(accessKeyId);
  if (!key) return fail(refuse(400, "UnrecognizedClientException", "The security token included in the request is invalid."));
  if (region !== expect.region)
    return fail(refuse(400, "InvalidSignatureException", `Credential should be scoped to a valid region, not '${region}'. `));
  if (service !== expect.service)
    return fail(
      refuse(400, "InvalidSignatureException", `Credential should be scoped to correct service: '${expect.service}'. `),
    );
  const amzDate = request.headers["x-amz-date"];
  const signedAt = amzDate === undefined ? undefined : parseAmzDate(amzDate);
  if (amzDate === undefined || signedAt === undefined)
    return fail(
      refuse(
        400,
        "IncompleteSignatureException",
        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
      ),
    );
  if (!amzDate.startsWith(scopeDate))
    return fail(
      refuse(
        400,
        "InvalidSignatureException",
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP",
      ),
    );
  const now = expect.now ?? Date.now();
  if (Math.abs(now - signedAt) > (expect.maxSkewMs ?? 15 * 60_000))
    return fail(
      refuse(400, "InvalidSignatureException", "Signature expired: the request time is too far from the server's clock"),
    );
  if (key.sessionToken !== undefined && request.headers["x-amz-security-token"] !== key.sessionToken)
    return fail(refuse(400, "UnrecognizedClientException", "The security token included in the request is invalid."));

  const signedHeaders = signedHeaderList.split(";");
  if (!signedHeaders.includes("host"))
    return fail(
      refuse(400, "InvalidSignatureException", "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."),
    );
  const canonicalHeaders = signedHeaders.map((name) => `${name}:${trimValue(request.headers[name] ?? "")}\n`).join("");
  const payloadHash = request.headers["x-amz-content-sha256"] ?? sha256Hex(request.body);
  const canonicalRequest = [
    request.method.toUpperCase(),
    canonicalUri(request.path),
    canonicalQuery(request.query),
    canonicalHeaders,
    signedHeaderList,
    payloadHash,
  ].join("\n");
  const scope = `${scopeDate}/${region}/${service}/aws4_request`;
  const stringToSign = [ALGORITHM, amzDate, scope, sha256Hex(canonicalRequest)].join("\n");
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${key.secretAccessKey}`, scopeDate), region), service), "aws4_request");
  const expected = createHmac("sha256", signingKey).update(stringToSign, "utf8").digest("hex");
  const given = Buffer.from(signature, "utf8");
  const wanted = Buffer.from(expected, "utf8");
  if (given.length !== wanted.length || !timingSafeEqual(given, wanted))
    return fail(
      refuse(
        403,
        "InvalidSignatureException",
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.",
      ),
    );
  return { ok: true, identity: { accessKeyId, region, service } };
}
