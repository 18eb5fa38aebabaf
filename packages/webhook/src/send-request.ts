import type { IncomingMessage } from "node:http";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { checkedLookup, type DestinationPolicy, resolveDestination } from "./destination";

/** One webhook request, ready to send. */
export interface OutgoingRequest {
  readonly method: "GET" | "POST";
  /** The full URL, query included. */
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  /** The body (POST only). */
  readonly body?: Buffer;
}

/** Limits and cancellation of one request. */
export interface SendLimits {
  /** Whole request, connect to last byte, in ms. */
  readonly timeoutMs: number;
  /** Largest response body read, in bytes. */
  readonly maxResponseBytes: number;
  /** The call's signal. */
  readonly signal: AbortSignal;
}

/** What the endpoint answered. */
export interface WebhookAnswer {
  readonly status: number;
  readonly body: string;
}

/**
 * The request did not get an answer. `retryable` says whether trying again later may help
 * (a dropped connection, a timeout, a resolver hiccup) or not (an unknown host, a response
 * larger than the limit).
 */
export class WebhookCallError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = "WebhookCallError";
  }
}

/** Network error codes worth another attempt later. */
const TRANSIENT_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENETDOWN",
  "EAI_AGAIN",
  "ECONNABORTED",
  "UND_ERR_SOCKET",
]);

function describeNetworkError(err: NodeJS.ErrnoException, url: URL): WebhookCallError {
  const code = err.code ?? "";
  if (code === "ENOTFOUND") return new WebhookCallError(`host ${url.hostname} was not found (DNS)`, false);
  if (code.startsWith("ERR_TLS") || code.includes("CERT") || code === "DEPTH_ZERO_SELF_SIGNED_CERT") {
    return new WebhookCallError(`TLS with ${url.host} failed: ${err.message}`, false);
  }
  return new WebhookCallError(
    `request to ${url.host} failed: ${err.message}${code ? ` (${code})` : ""}`,
    TRANSIENT_CODES.has(code),
  );
}

/**
 * Sends one request: resolves and checks the destination once (see {@link resolveDestination}),
 * connects only to a checked address, never follows redirects, reads at most
 * `maxResponseBytes` of the body, and gives up after `timeoutMs` or when `signal` fires.
 * Throws {@link DestinationRefused} or {@link WebhookCallError}.
 */
export async function sendRequest(req: OutgoingRequest, policy: DestinationPolicy, limits: SendLimits): Promise<WebhookAnswer> {
  const started = Date.now();
  const port = Number(req.url.port) || (req.url.protocol === "https:" ? 443 : 80);
  const hostName = req.url.hostname.replace(/^\[|\]$/g, "");
  let checked: Awaited<ReturnType<typeof resolveDestination>>;
  try {
    checked = await withinLimits(resolveDestination(policy, hostName, port), limits, req.url);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code) throw describeNetworkError(err as NodeJS.ErrnoException, req.url);
    throw err;
  }
  const remaining = limits.timeoutMs - (Date.now() - started);
  if (remaining <= 0) throw new WebhookCallError(`no answer from ${req.url.host} within ${limits.timeoutMs} ms`, true);

  const send = req.url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise<WebhookAnswer>((resolve, reject) => {
    let settled = false;
    const finish = (err: Error | undefined, answer?: WebhookAnswer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      limits.signal.removeEventListener("abort", onAbort);
      if (err) reject(err);
      else resolve(answer as WebhookAnswer);
    };
    const outgoing = send(
      req.url,
      {
        method: req.method,
        headers: { ...req.headers, ...(req.body ? { "content-length": String(req.body.length) } : {}) },
        agent: false,
        lookup: checkedLookup(checked),
      },
      (res) => readBody(res, limits.maxResponseBytes, req.url, finish),
    );
    const timer = setTimeout(() => {
      const err = new WebhookCallError(`no answer from ${req.url.host} within ${limits.timeoutMs} ms`, true);
      finish(err);
      outgoing.destroy(err);
    }, remaining);
    const onAbort = () => {
      const err = new WebhookCallError(`the call was cancelled before ${req.url.host} answered`, true);
      finish(err);
      outgoing.destroy(err);
    };
    if (limits.signal.aborted) onAbort();
    else limits.signal.addEventListener("abort", onAbort, { once: true });
    outgoing.on("error", (err: NodeJS.ErrnoException) => finish(describeNetworkError(err, req.url)));
    outgoing.end(req.body);
  });
}

/** Settles as `work` does, unless the timeout passes or the call is cancelled first (a resolver can hang). */
function withinLimits<T>(work: Promise<T>, limits: SendLimits, url: URL): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const stop = (err: Error) => {
      clearTimeout(timer);
      limits.signal.removeEventListener("abort", onAbort);
      reject(err);
    };
    const timer = setTimeout(
      () => stop(new WebhookCallError(`no answer from ${url.host} within ${limits.timeoutMs} ms (resolving its name)`, true)),
      limits.timeoutMs,
    );
    const onAbort = () => stop(new WebhookCallError(`the call was cancelled before ${url.host} answered`, true));
    if (limits.signal.aborted) {
      onAbort();
      return;
    }
    limits.signal.addEventListener("abort", onAbort, { once: true });
    work.then(
      (value) => {
        clearTimeout(timer);
        limits.signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (err: unknown) => stop(err as Error),
    );
  });
}

function readBody(
  res: IncomingMessage,
  maxBytes: number,
  url: URL,
  finish: (err: Error | undefined, answer?: WebhookAnswer) => void,
): void {
  const status = res.statusCode ?? 0;
  const tooLarge = () =>
    new WebhookCallError(`the response of ${url.host} (HTTP ${status}) is larger than the limit of ${maxBytes} bytes`, false);
  const declared = Number(res.headers["content-length"]);
  if (Number.isFinite(declared) && declared > maxBytes) {
    finish(tooLarge());
    res.destroy();
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  res.on("data", (chunk: Buffer) => {
    size += chunk.length;
    if (size > maxBytes) {
      finish(tooLarge());
      res.destroy();
      return;
    }
    chunks.push(chunk);
  });
  res.on("end", () => finish(undefined, { status, body: Buffer.concat(chunks).toString("utf8") }));
  res.on("error", (err: NodeJS.ErrnoException) => finish(describeNetworkError(err, url)));
  res.on("aborted", () => finish(new WebhookCallError(`${url.host} closed the connection mid-response`, true)));
}
