import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { track } from "./auto-close";

/** A request received by a {@link FakeHttpService}. */
export interface FakeRequest {
  /** HTTP method, upper case. */
  method: string;
  /** Path without the query string, e.g. `/api/2.1/jobs/runs/get`. */
  path: string;
  /** Query parameters (the last value wins when a name repeats). */
  query: Record<string, string>;
  /** Request headers (names in lower case). */
  headers: IncomingHttpHeaders;
  /** The body: parsed JSON when it parses, else the raw text ("" when empty). */
  body: unknown;
  /** The body as received. */
  rawBody: string;
}

/** What a {@link FakeHttpHandler} answers. */
export interface FakeResponse {
  /** HTTP status. @default 200 */
  status?: number;
  /** Extra response headers. */
  headers?: Record<string, string>;
  /** A JSON body (sets `content-type: application/json`). */
  json?: unknown;
  /** A raw body, used when `json` is not set. @default "" */
  body?: string | Buffer;
  /** Wait this long before answering (simulates a slow API). @default 0 */
  delayMs?: number;
}

/** Answers one request of a fake service. Throwing answers 500 with the error's message. */
export type FakeHttpHandler = (req: FakeRequest) => FakeResponse | Promise<FakeResponse>;

/** A fake HTTP API on 127.0.0.1, started by {@link startFakeHttpService}. */
export interface FakeHttpService {
  /** Base URL, e.g. `http://127.0.0.1:41234` (no trailing slash). */
  readonly url: string;
  /** The bound port. */
  readonly port: number;
  /** Every request received so far, in order. */
  readonly requests: FakeRequest[];
  /** Number of TCP connections accepted so far (proves keep-alive reuse). */
  readonly connectionCount: number;
  /** Replaces the handler (e.g. to make the API fail from now on). */
  setHandler(handler: FakeHttpHandler): void;
  /** Stops listening and drops open connections. Called automatically after the test file. */
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function parseBody(raw: string): unknown {
  if (raw === "") return "";
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

async function answer(res: ServerResponse, response: FakeResponse): Promise<void> {
  if (response.delayMs && response.delayMs > 0) {
    const ms = response.delayMs;
    await new Promise((resolve) => setTimeout(resolve, ms));
  }
  const headers: Record<string, string> = { ...response.headers };
  let body: string | Buffer = response.body ?? "";
  if (response.json !== undefined) {
    body = JSON.stringify(response.json);
    headers["content-type"] ??= "application/json; charset=utf-8";
  }
  res.writeHead(response.status ?? 200, headers);
  res.end(body);
}

/**
 * Starts a fake of an external REST API: a real `node:http` server on 127.0.0.1 and a free
 * port, driven by the real client library of the plugin under test. Inside a jest test file
 * it is closed automatically after the last test.
 *
 * @example
 *   const api = await startFakeHttpService((req) =>
 *     req.path === "/api/2.1/jobs/runs/get" ? { json: { state: { life_cycle_state: "RUNNING" } } } : { status: 404 },
 *   );
 */
export async function startFakeHttpService(handler: FakeHttpHandler): Promise<FakeHttpService> {
  let current = handler;
  let connections = 0;
  const requests: FakeRequest[] = [];
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const rawBody = await readBody(req);
      const fake: FakeRequest = {
        method: (req.method ?? "GET").toUpperCase(),
        path: url.pathname,
        query: Object.fromEntries(url.searchParams.entries()),
        headers: req.headers,
        body: parseBody(rawBody),
        rawBody,
      };
      requests.push(fake);
      let response: FakeResponse;
      try {
        response = await current(fake);
      } catch (err) {
        response = { status: 500, json: { error: { message: (err as Error).message ?? String(err) } } };
      }
      await answer(res, response);
    })().catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500);
      res.end(String(err));
    });
  });
  server.on("connection", () => {
    connections += 1;
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  const service: FakeHttpService = {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    get connectionCount() {
      return connections;
    },
    setHandler(next) {
      current = next;
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        untrack();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
  const untrack = track(service);
  return service;
}
