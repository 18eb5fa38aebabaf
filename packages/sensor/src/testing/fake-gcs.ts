import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

/** One bucket of the fake. */
export interface FakeGcsBucket {
  /** Names of the objects in it. @default [] */
  objects?: string[];
  /** The caller lacks access: every request about it is 403. @default false */
  denied?: boolean;
}

/** Options of {@link startFakeGcs}. */
export interface FakeGcsOptions {
  /** Buckets by name. @default {} */
  buckets?: Record<string, FakeGcsBucket>;
  /** The access token the fake's metadata server hands out and its storage API accepts. @default a random one */
  token?: string;
}

/** Counters of what the fake answered. */
export interface FakeGcsStats {
  /** Storage API requests answered with a scripted fault. */
  faults: number;
  /** Tokens handed out by the metadata server. */
  tokens: number;
  /** Storage API requests answered (any status). */
  requests: number;
  /** Storage API requests refused for a missing or wrong bearer token. */
  unauthorized: number;
}

/** A fake of the Cloud Storage JSON API and of the GCE metadata server's token endpoint; see {@link startFakeGcs}. */
export interface FakeGcs {
  /** Base URL of the storage API, for the agent's `gcsEndpoint` (`FLYTE_SENSOR_GCS_ENDPOINT`). */
  readonly url: string;
  /** `host:port` of the metadata server, for `GCE_METADATA_HOST` (how Google's auth library finds it). */
  readonly metadataHost: string;
  /** The token the storage API accepts. */
  readonly token: string;
  readonly stats: FakeGcsStats;
  /** Adds an object. */
  addObject(bucket: string, name: string): void;
  /** Answers the next `times` storage requests with `status` and Google's error body (after the token check). */
  failNext(status: 500 | 503 | 429, times?: number): void;
  close(): Promise<void>;
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=UTF-8",
    "content-length": String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

function apiError(res: ServerResponse, status: number, reason: string, message: string): void {
  json(res, status, { error: { code: status, message, errors: [{ message, domain: "global", reason }] } });
}

function objectResource(bucket: string, name: string, created: Date) {
  return {
    kind: "storage#object",
    id: `${bucket}/${name}/1`,
    name,
    bucket,
    generation: "1",
    metageneration: "1",
    contentType: "application/octet-stream",
    storageClass: "STANDARD",
    size: "0",
    timeCreated: created.toISOString(),
    updated: created.toISOString(),
  };
}

/**
 * Starts, on 127.0.0.1, a fake of the Cloud Storage JSON API (`GET /storage/v1/b/{bucket}`,
 * `.../o/{object}` and `.../o?prefix=&maxResults=`, with Google's error bodies) that accepts only
 * `Authorization: Bearer <token>`, and of the GCE metadata server's token endpoint that hands
 * that token out (to a caller sending `Metadata-Flavor: Google`), which is how Application
 * Default Credentials obtain one on GKE. Driven by the real `@google-cloud/storage` client.
 */
export async function startFakeGcs(options: FakeGcsOptions = {}): Promise<FakeGcs> {
  const token = options.token ?? `ya29.fake-${randomBytes(12).toString("hex")}`;
  const buckets = new Map<string, { denied: boolean; objects: Map<string, Date> }>();
  const stats: FakeGcsStats = { tokens: 0, requests: 0, unauthorized: 0, faults: 0 };
  let faults = { status: 503, left: 0 };
  const addObject = (bucket: string, name: string) => {
    const b = buckets.get(bucket);
    if (!b) throw new Error(`fake GCS: no bucket ${bucket}`);
    b.objects.set(name, new Date());
  };
  for (const [name, spec] of Object.entries(options.buckets ?? {})) {
    buckets.set(name, { denied: spec.denied ?? false, objects: new Map() });
    for (const o of spec.objects ?? []) addObject(name, o);
  }

  const metadata = (req: IncomingMessage, res: ServerResponse, path: string) => {
    const flavor = { "metadata-flavor": "Google" };
    if (req.headers["metadata-flavor"] !== "Google") return json(res, 403, "Missing Metadata-Flavor:Google header.", flavor);
    if (path === "/computeMetadata/v1/instance/service-accounts/default/token") {
      stats.tokens++;
      return json(res, 200, { access_token: token, expires_in: 3599, token_type: "Bearer" }, flavor);
    }
    if (path === "/computeMetadata/v1/universe/universe-domain") {
      res.writeHead(200, { ...flavor, "content-type": "application/text" });
      return res.end("googleapis.com");
    }
    if (path === "/computeMetadata/v1/project/project-id") {
      res.writeHead(200, { ...flavor, "content-type": "application/text" });
      return res.end("fake-project");
    }
    if (path === "/computeMetadata/v1/instance" || path === "/computeMetadata/v1/instance/") {
      res.writeHead(200, { ...flavor, "content-type": "application/text" });
      return res.end("");
    }
    res.writeHead(404, flavor);
    res.end();
  };

  const storage = (req: IncomingMessage, res: ServerResponse, url: URL) => {
    stats.requests++;
    if (req.headers.authorization !== `Bearer ${token}`) {
      stats.unauthorized++;
      return apiError(res, 401, "authError", "Invalid Credentials");
    }
    if (faults.left > 0) {
      faults.left--;
      stats.faults++;
      return apiError(res, faults.status, faults.status === 429 ? "rateLimitExceeded" : "backendError", "Backend Error");
    }
    if (req.method !== "GET") return apiError(res, 405, "methodNotAllowed", "Method not allowed by this fake");
    const m = /^\/storage\/v1\/b\/([^/]+)(?:\/o(?:\/(.+))?)?$/.exec(url.pathname);
    if (!m) return apiError(res, 404, "notFound", "Not Found");
    const bucketName = decodeURIComponent(m[1] ?? "");
    const bucket = buckets.get(bucketName);
    if (!bucket) return apiError(res, 404, "notFound", "The specified bucket does not exist.");
    if (bucket.denied) {
      return apiError(
        res,
        403,
        "forbidden",
        `agent@fake-project.iam.gserviceaccount.com does not have storage.objects.get access to the Google Cloud Storage bucket ${bucketName}.`,
      );
    }
    const objectPath = m[2];
    const isList = url.pathname.endsWith("/o") || url.pathname.endsWith("/o/");
    if (objectPath !== undefined) {
      const name = decodeURIComponent(objectPath);
      const created = bucket.objects.get(name);
      if (!created) return apiError(res, 404, "notFound", `No such object: ${bucketName}/${name}`);
      return json(res, 200, objectResource(bucketName, name, created));
    }
    if (isList) {
      const maxText = url.searchParams.get("maxResults") ?? "1000";
      if (!/^\d+$/.test(maxText) || Number(maxText) < 1)
        return apiError(res, 400, "invalid", `Invalid value for maxResults: ${maxText}`);
      const prefix = url.searchParams.get("prefix") ?? "";
      const names = [...bucket.objects.keys()].filter((n) => n.startsWith(prefix)).sort();
      const page = names.slice(0, Math.min(Number(maxText), 1000));
      return json(res, 200, {
        kind: "storage#objects",
        ...(page.length > 0 ? { items: page.map((n) => objectResource(bucketName, n, bucket.objects.get(n) as Date)) } : {}),
        ...(names.length > page.length ? { nextPageToken: Buffer.from(page.at(-1) ?? "").toString("base64") } : {}),
      });
    }
    return json(res, 200, { kind: "storage#bucket", id: bucketName, name: bucketName, location: "US", storageClass: "STANDARD" });
  };

  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://fake-gcs");
      if (url.pathname.startsWith("/computeMetadata/")) metadata(req, res, url.pathname);
      else storage(req, res, url);
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
    metadataHost: `127.0.0.1:${port}`,
    token,
    stats,
    addObject,
    failNext(status, times = 1) {
      faults = { status, left: times };
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
