import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

/** A request the receiver got. */
export interface ReceivedRequest {
  readonly method: string;
  /** Path and query, as sent (`/hook?a=1`). */
  readonly url: string;
  /** Header names in lower case. */
  readonly headers: IncomingHttpHeaders;
  /** The body as received. */
  readonly body: Buffer;
}

/** How the receiver answers the next request(s). */
export interface ReceiverAnswer {
  /** HTTP status. @default 200 */
  status?: number;
  /** Response headers. */
  headers?: Record<string, string>;
  /** The body. @default "ok" */
  body?: string | Buffer;
  /** Answer only after this long (a slow endpoint). @default 0 */
  delayMs?: number;
  /** Close the connection without answering. @default false */
  drop?: boolean;
  /** Send the body without a content-length (chunked), so the client learns its size only by reading. @default false */
  chunked?: boolean;
}

/** A webhook endpoint on 127.0.0.1 that records what it receives; started by {@link startWebhookReceiver}. */
export interface WebhookReceiver {
  /** Base URL, e.g. `http://127.0.0.1:41234` (no trailing slash). */
  readonly url: string;
  readonly port: number;
  /** Every request received so far. */
  readonly requests: ReceivedRequest[];
  /** Sets the answer to every request from now on. */
  answerWith(answer: ReceiverAnswer): void;
  /** Stops listening and drops open connections. */
  close(): Promise<void>;
}

/** Largest request body the receiver reads (a bigger one is answered 413). */
const MAX_REQUEST_BYTES = 4 * 1024 * 1024;

function send(res: ServerResponse, answer: ReceiverAnswer): void {
  const body = answer.body ?? "ok";
  const headers: Record<string, string> = { "content-type": "text/plain; charset=utf-8", ...answer.headers };
  if (!answer.chunked) headers["content-length"] = String(Buffer.byteLength(body));
  res.writeHead(answer.status ?? 200, headers);
  if (answer.chunked) {
    const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body);
    const half = Math.floor(bytes.length / 2);
    res.write(bytes.subarray(0, half));
    res.end(bytes.subarray(half));
  } else {
    res.end(body);
  }
}

/**
 * Starts a webhook endpoint on 127.0.0.1 and a free port (or `host`, e.g. `::1`). It records
 * each request and answers as {@link WebhookReceiver.answerWith} says (200 "ok" by default).
 */
export async function startWebhookReceiver(options: { host?: string } = {}): Promise<WebhookReceiver> {
  const requests: ReceivedRequest[] = [];
  const sockets = new Set<Socket>();
  let current: ReceiverAnswer = {};
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const answer = current;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_REQUEST_BYTES) chunks.push(chunk);
    });
    req.on("end", () => {
      if (size > MAX_REQUEST_BYTES) {
        res.writeHead(413).end();
        return;
      }
      requests.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks) });
      if (answer.drop) {
        req.socket.destroy();
        return;
      }
      if (answer.delayMs && answer.delayMs > 0) setTimeout(() => send(res, answer), answer.delayMs).unref();
      else send(res, answer);
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(":") ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    requests,
    answerWith(answer) {
      current = answer;
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
