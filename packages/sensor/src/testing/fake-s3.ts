import { createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { type SigV4Credentials, verifySigV4 } from "./sigv4";

/** One bucket of the fake. */
export interface FakeBucket {
  /** The bucket's region (requests signed for another get S3's region error). @default the fake's region */
  region?: string;
  /** Keys of the objects in it. @default [] */
  objects?: string[];
  /**
   * Whether the caller has `s3:ListBucket` on it. Without it, as on S3, a HEAD of a missing key
   * is 403 (not 404) and ListObjectsV2 is 403 AccessDenied. @default true
   */
  listAllowed?: boolean;
}

/** Options of {@link startFakeS3}. */
export interface FakeS3Options {
  /** The only keys it accepts. @default test keys (`AKIDFAKES3EXAMPLE` / a fixed secret) */
  credentials?: SigV4Credentials;
  /** The region of buckets that name none. @default "us-east-1" */
  region?: string;
  /** Buckets by name. @default {} */
  buckets?: Record<string, FakeBucket>;
}

/** Counters of what the fake answered. */
export interface FakeS3Stats {
  heads: number;
  lists: number;
  /** Requests refused for their signature or keys. */
  refusedSignatures: number;
  /** Requests answered with a scripted fault. */
  faults: number;
}

/** A fake of S3's REST API (HeadObject, ListObjectsV2; path-style) on 127.0.0.1; see {@link startFakeS3}. */
export interface FakeS3 {
  /** Base URL, for `AWS_ENDPOINT_URL_S3`. */
  readonly url: string;
  readonly credentials: SigV4Credentials;
  readonly stats: FakeS3Stats;
  /** Adds an object. */
  putObject(bucket: string, key: string, body?: string): void;
  /**
   * Answers the next `times` requests with `fault`: a status with S3's error body (`SlowDown`,
   * `InternalError`), or `"drop"` (the connection is closed without an answer).
   */
  failNext(fault: 500 | 503 | "drop", times?: number): void;
  /** Delays every answer by `ms` from now on (0 to stop). */
  delayAnswers(ms: number): void;
  close(): Promise<void>;
}

/** Test keys the fake accepts by default (not real AWS keys). */
export const FAKE_S3_CREDENTIALS: SigV4Credentials = {
  accessKeyId: "AKIDFAKES3EXAMPLE",
  secretAccessKey: "fakeS3secretKeyForTestsOnly/0123456789abc",
};

interface StoredObject {
  size: number;
  etag: string;
  lastModified: Date;
}

const xmlEscape = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;");

function xmlError(code: string, message: string, extra = ""): string {
  const requestId = randomBytes(8).toString("hex").toUpperCase();
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${xmlEscape(message)}</Message>${extra}<RequestId>${requestId}</RequestId></Error>`;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size <= 1024 * 1024) chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/**
 * Starts a fake of S3 on 127.0.0.1 speaking the real REST API for HeadObject and ListObjectsV2
 * (path-style URLs, XML bodies, S3's error codes), driven by the real AWS SDK v3 with
 * `AWS_ENDPOINT_URL_S3` set to its `url`. Every request must be signed with Signature Version 4
 * for the bucket's region and service `s3` with the fake's keys; the signature is checked with
 * the fake's own implementation of the specification.
 */
export async function startFakeS3(options: FakeS3Options = {}): Promise<FakeS3> {
  const credentials = options.credentials ?? FAKE_S3_CREDENTIALS;
  const defaultRegion = options.region ?? "us-east-1";
  const buckets = new Map<string, { region: string; listAllowed: boolean; objects: Map<string, StoredObject> }>();
  const stats: FakeS3Stats = { heads: 0, lists: 0, refusedSignatures: 0, faults: 0 };
  let faults: { fault: 500 | 503 | "drop"; left: number } | undefined;
  let delayMs = 0;

  const store = (bucket: string, key: string, body = "") => {
    const b = buckets.get(bucket);
    if (!b) throw new Error(`fake S3: no bucket ${bucket}`);
    b.objects.set(key, {
      size: Buffer.byteLength(body),
      etag: createHash("md5").update(body).digest("hex"),
      lastModified: new Date(),
    });
  };
  for (const [name, spec] of Object.entries(options.buckets ?? {})) {
    buckets.set(name, { region: spec.region ?? defaultRegion, listAllowed: spec.listAllowed ?? true, objects: new Map() });
    for (const key of spec.objects ?? []) store(name, key);
  }

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readBody(req);
    const send = (status: number, xml?: string, headers: Record<string, string> = {}) => {
      const text = req.method === "HEAD" ? "" : (xml ?? "");
      res.writeHead(status, {
        "x-amz-request-id": randomBytes(8).toString("hex"),
        ...(xml ? { "content-type": "application/xml" } : {}),
        ...headers,
        "content-length": String(Buffer.byteLength(text)),
      });
      res.end(text);
    };
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs).unref());
    if (faults && faults.left > 0) {
      faults.left--;
      stats.faults++;
      if (faults.fault === "drop") {
        req.socket.destroy();
        return;
      }
      const code = faults.fault === 503 ? "SlowDown" : "InternalError";
      return send(
        faults.fault,
        xmlError(
          code,
          code === "SlowDown" ? "Please reduce your request rate." : "We encountered an internal error. Please try again.",
        ),
      );
    }
    const url = new URL(req.url ?? "/", "http://fake-s3");
    const [, bucketName = "", ...keyParts] = url.pathname.split("/");
    const bucket = buckets.get(decodeURIComponent(bucketName));
    // S3 checks the signature against the bucket's region, and tells a client in the wrong region where to go.
    const region = bucket?.region ?? defaultRegion;
    const refusal = verifySigV4(
      { method: req.method ?? "", url: req.url ?? "/", headers: req.headers, body },
      credentials,
      region,
    );
    if (refusal?.code === "AuthorizationHeaderMalformed" && bucket && /region/.test(refusal.message)) {
      // A request for a bucket of another region: S3 sends the client there.
      stats.refusedSignatures++;
      return send(
        301,
        xmlError(
          "PermanentRedirect",
          "The bucket you are attempting to access must be addressed using the specified endpoint.",
          `<Region>${region}</Region>`,
        ),
        { "x-amz-bucket-region": region },
      );
    }
    if (refusal) {
      stats.refusedSignatures++;
      return send(refusal.status, xmlError(refusal.code, refusal.message));
    }
    if (!bucket)
      return send(
        404,
        xmlError("NoSuchBucket", "The specified bucket does not exist", `<BucketName>${xmlEscape(bucketName)}</BucketName>`),
      );
    const key = keyParts.map(decodeURIComponent).join("/");

    if (req.method === "HEAD" && key !== "") {
      stats.heads++;
      const object = bucket.objects.get(key);
      if (!object) return send(bucket.listAllowed ? 404 : 403);
      return send(200, undefined, {
        etag: `"${object.etag}"`,
        "last-modified": object.lastModified.toUTCString(),
        "x-amz-object-size": String(object.size),
      });
    }
    if (req.method === "GET" && key === "" && url.searchParams.get("list-type") === "2") {
      stats.lists++;
      if (!bucket.listAllowed) return send(403, xmlError("AccessDenied", "Access Denied"));
      const maxKeysText = url.searchParams.get("max-keys") ?? "1000";
      if (!/^\d+$/.test(maxKeysText))
        return send(400, xmlError("InvalidArgument", "Provided max-keys not an integer or within integer range"));
      const maxKeys = Math.min(Number(maxKeysText), 1000);
      const prefix = url.searchParams.get("prefix") ?? "";
      const startAfter = url.searchParams.get("start-after") ?? "";
      const keys = [...bucket.objects.keys()].filter((k) => k.startsWith(prefix) && k > startAfter).sort();
      const page = keys.slice(0, maxKeys);
      const contents = page
        .map((k) => {
          const o = bucket.objects.get(k) as StoredObject;
          return `<Contents><Key>${xmlEscape(k)}</Key><LastModified>${o.lastModified.toISOString()}</LastModified><ETag>&quot;${o.etag}&quot;</ETag><Size>${o.size}</Size><StorageClass>STANDARD</StorageClass></Contents>`;
        })
        .join("");
      return send(
        200,
        `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${xmlEscape(bucketName)}</Name><Prefix>${xmlEscape(prefix)}</Prefix><KeyCount>${page.length}</KeyCount><MaxKeys>${maxKeys}</MaxKeys><IsTruncated>${keys.length > page.length}</IsTruncated>${contents}</ListBucketResult>`,
      );
    }
    return send(
      501,
      xmlError("NotImplemented", "A header or query you provided implies functionality that is not implemented by this fake"),
    );
  };

  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      res.writeHead(500).end(xmlError("InternalError", (err as Error).message));
    });
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    credentials,
    stats,
    putObject: store,
    failNext(fault, times = 1) {
      faults = { fault, left: times };
    },
    delayAnswers(ms) {
      delayMs = ms;
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
