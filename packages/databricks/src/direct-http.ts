import http from "node:http";
import https from "node:https";
import zlib from "node:zlib";

/** Where a request goes: a workspace base URL split once into what `http.request` takes. */
export interface HttpTarget {
  readonly secure: boolean;
  readonly hostname: string;
  /** The port as written in the URL ("" for the protocol's default). */
  readonly port: string;
  /** The base URL's path ("" for none): what goes before the API path. */
  readonly pathPrefix: string;
  /** `protocol`, `host` and `port` as proxy-from-env's `getProxyForUrl` reads them. */
  readonly proxyKey: { readonly protocol: string; readonly host: string; readonly port: string };
}

/** Splits a base URL (`https://host[:port][/path]`) into an {@link HttpTarget}. */
export function httpTarget(baseUrl: string): HttpTarget {
  const url = new URL(baseUrl);
  return {
    secure: url.protocol === "https:",
    hostname: url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname,
    port: url.port,
    pathPrefix: url.pathname === "/" ? "" : url.pathname,
    proxyKey: { protocol: url.protocol, host: url.host, port: url.port },
  };
}

/** One request of {@link DirectHttp.request}. */
export interface DirectRequest {
  readonly target: HttpTarget;
  readonly method: string;
  /** Path and query after the target's path prefix, starting with "/". */
  readonly path: string;
  /** Request headers, Content-Length included when there is a body (Host and Connection come from Node). */
  readonly headers: Record<string, string>;
  readonly body?: string;
  /** No response headers within this many ms, or no bytes for this long after them, ends the request. */
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
}

/** A whole response: status, headers (lower-case names, as Node gives them) and the body as text. */
export interface DirectResponse {
  readonly status: number;
  readonly headers: Record<string, unknown>;
  readonly text: string;
}

/**
 * A failed request, with `code` as axios would have given it: Node's code for socket errors
 * (`ECONNREFUSED`, `ECONNRESET`...), `ECONNABORTED` for a timeout, `ERR_BAD_RESPONSE` for a
 * body over the limit or cut short.
 */
export class DirectHttpError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = "DirectHttpError";
  }
}

/** Settings of {@link DirectHttp}. */
export interface DirectHttpOptions {
  readonly httpAgent: http.Agent;
  readonly httpsAgent: https.Agent;
  /** Largest response body read, after decompression. */
  readonly maxResponseBytes: number;
}

const ZLIB = { flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH };
const BROTLI = { flush: zlib.constants.BROTLI_OPERATION_FLUSH, finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH };
const ZSTD = { flush: zlib.constants.ZSTD_e_flush, finishFlush: zlib.constants.ZSTD_e_flush };

type Decode = (raw: Buffer, limit: number, done: (err: Error | null, out: Buffer) => void) => void;

/**
 * The decoder of a `Content-Encoding` that axios decodes, or undefined for identity and unknown
 * ones (their body is read as it came). Output past `limit` bytes fails with ERR_BUFFER_TOO_LARGE.
 */
function decoderFor(encoding: string, firstByte: number | undefined): Decode | undefined {
  switch (encoding.toLowerCase()) {
    case "gzip":
    case "x-gzip":
    case "compress":
    case "x-compress":
      return (raw, limit, done) => zlib.unzip(raw, { ...ZLIB, maxOutputLength: limit }, done);
    case "deflate":
      // Servers send "deflate" both zlib-wrapped (first byte 0x78) and raw.
      return firstByte === 0x78
        ? (raw, limit, done) => zlib.unzip(raw, { ...ZLIB, maxOutputLength: limit }, done)
        : (raw, limit, done) => zlib.inflateRaw(raw, { ...ZLIB, maxOutputLength: limit }, done);
    case "br":
      return (raw, limit, done) => zlib.brotliDecompress(raw, { ...BROTLI, maxOutputLength: limit }, done);
    case "zstd":
      // Node 22.15 and later.
      return typeof zlib.zstdDecompress === "function"
        ? (raw, limit, done) => zlib.zstdDecompress(raw, { ...ZSTD, maxOutputLength: limit }, done)
        : undefined;
    default:
      return undefined;
  }
}

/**
 * One HTTP/1.1 request at a time over Node's `http`/`https` with the given keep-alive agents:
 * what the Databricks client needs from axios (timeouts, the caller's AbortSignal, a bounded and
 * decompressed body, the same error codes) without axios's per-request configuration merging,
 * header normalisation and adapter layers, which cost more CPU than the request itself. It does
 * not proxy: the caller sends requests that a proxy applies to through axios.
 */
export class DirectHttp {
  constructor(private readonly options: DirectHttpOptions) {}

  /** Sends the request and reads the whole response; rejects with {@link DirectHttpError} or the signal's reason. */
  request(req: DirectRequest): Promise<DirectResponse> {
    return new Promise<DirectResponse>((resolve, reject) => {
      const { target, body, timeoutMs, signal } = req;
      if (signal.aborted) {
        reject(signal.reason);
        return;
      }
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      const fail = (err: unknown) => {
        if (settled) return;
        settled = true;
        if (timer) clearTimeout(timer);
        signal.removeEventListener("abort", onAbort);
        outgoing.destroy();
        reject(err);
      };
      // One listener of our own: http.request's `signal` option also watches the request's
      // streams to remove it, which cost about 25 us per request.
      const onAbort = () => fail(signal.reason);
      signal.addEventListener("abort", onAbort, { once: true });
      let outgoing: http.ClientRequest;
      try {
        outgoing = (target.secure ? https : http).request(
          {
            agent: target.secure ? this.options.httpsAgent : this.options.httpAgent,
            hostname: target.hostname,
            port: target.port || undefined,
            path: target.pathPrefix + req.path,
            method: req.method,
            headers: req.headers,
            insecureHTTPParser: false,
          },
          (res) => {
            if (settled) {
              res.destroy();
              return;
            }
            // After the headers, the body may take as long as it keeps sending bytes: every chunk
            // restarts the timer (what axios's socket timeout did, without re-arming the socket's).
            const restartTimer = () => timer?.refresh();
            this.readBody(res, req.method, restartTimer).then(
              (text) => {
                if (settled) return;
                settled = true;
                if (timer) clearTimeout(timer);
                signal.removeEventListener("abort", onAbort);
                resolve({ status: res.statusCode ?? 0, headers: res.headers, text });
              },
              (err: Error) => fail(err),
            );
          },
        );
      } catch (err) {
        // A header Node refuses (a token with a line break): failed as axios reported it.
        const { message, code } = err as NodeJS.ErrnoException;
        settled = true;
        signal.removeEventListener("abort", onAbort);
        reject(new DirectHttpError(message, code));
        return;
      }
      const onTimeout = () => fail(new DirectHttpError(`timeout of ${timeoutMs}ms exceeded`, "ECONNABORTED"));
      timer = setTimeout(onTimeout, timeoutMs);
      outgoing.on("error", (err: NodeJS.ErrnoException) => fail(new DirectHttpError(err.message, err.code)));
      outgoing.end(body);
    });
  }

  /** The body as text (UTF-8, byte order mark dropped), decompressed; both sizes bounded by `maxResponseBytes`. */
  private readBody(res: http.IncomingMessage, method: string, onChunk: () => void): Promise<string> {
    const limit = this.options.maxResponseBytes;
    return new Promise<string>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let bytes = 0;
      let failed = false;
      const fail = (err: Error) => {
        if (failed) return;
        failed = true;
        res.destroy();
        reject(err);
      };
      res.on("data", (chunk: Buffer) => {
        onChunk();
        bytes += chunk.length;
        if (bytes > limit) fail(tooLarge(limit));
        else chunks.push(chunk);
      });
      res.on("error", (err: NodeJS.ErrnoException) =>
        fail(
          !res.complete && err.code === "ECONNRESET"
            ? new DirectHttpError("stream has been aborted", "ERR_BAD_RESPONSE")
            : new DirectHttpError(err.message, err.code),
        ),
      );
      res.on("end", () => {
        if (failed) return;
        const raw = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
        const encoding = res.headers["content-encoding"];
        if (!encoding || method === "HEAD" || res.statusCode === 204 || raw.length === 0) {
          resolve(text(raw));
          return;
        }
        const decode = decoderFor(encoding, raw[0]);
        if (!decode) {
          resolve(text(raw));
          return;
        }
        delete res.headers["content-encoding"];
        decode(raw, limit, (err, out) => {
          if (!err) resolve(text(out));
          else if ((err as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") reject(tooLarge(limit));
          else reject(new DirectHttpError(err.message, (err as NodeJS.ErrnoException).code));
        });
      });
    });
  }
}

function tooLarge(limit: number): DirectHttpError {
  return new DirectHttpError(`maxContentLength size of ${limit} exceeded`, "ERR_BAD_RESPONSE");
}

/** UTF-8 text without a leading byte order mark (as axios reads a text response). */
function text(raw: Buffer): string {
  const s = raw.toString("utf8");
  return s.charCodeAt(0) === 0xfeff ? s.slice(1) : s;
}
