import { createServer, type Server } from "node:http";
import type { Registry } from "prom-client";

/** What the `/metrics` HTTP listener accepts from its clients. */
export interface MetricsListenerLimits {
  /** Open connections at most; one more is closed as soon as it is accepted. */
  readonly maxConnections: number;
  /** Time for a request's headers to arrive, in milliseconds; then 408 and the connection closes. */
  readonly headersTimeoutMs: number;
  /** Time for a whole request to arrive, in milliseconds (above `headersTimeoutMs`). */
  readonly requestTimeoutMs: number;
  /** Bytes of request headers at most; more is answered 431. */
  readonly maxHeaderBytes: number;
  /** How often the two timeouts are checked, in milliseconds. */
  readonly checkIntervalMs: number;
}

/**
 * The limits of the `/metrics` listener. A Prometheus server scrapes over one keep-alive
 * connection and sends a few hundred bytes of headers; these leave room for several scrapers
 * and a person with curl, and keep a client that opens connections without end, or sends its
 * headers a byte at a time, from holding the process's memory or sockets.
 */
export const METRICS_LISTENER_LIMITS: MetricsListenerLimits = {
  maxConnections: 64,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  maxHeaderBytes: 8192,
  checkIntervalMs: 1000,
};

/**
 * Serves `registry` at `/metrics` (404 elsewhere) on `host:port`, within the limits.
 * Resolves with the listening server.
 */
export async function serveMetrics(
  registry: Registry,
  port: number,
  host: string,
  limits: Partial<MetricsListenerLimits> = {},
): Promise<Server> {
  const l = { ...METRICS_LISTENER_LIMITS, ...limits };
  const server = createServer(
    {
      maxHeaderSize: l.maxHeaderBytes,
      headersTimeout: l.headersTimeoutMs,
      requestTimeout: l.requestTimeoutMs,
      connectionsCheckingInterval: l.checkIntervalMs,
    },
    (req, res) => {
      if (req.url === "/metrics" || req.url?.startsWith("/metrics?")) {
        registry.metrics().then(
          (body) => {
            res.writeHead(200, { "content-type": registry.contentType });
            res.end(body);
          },
          () => {
            res.writeHead(500);
            res.end();
          },
        );
        return;
      }
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("not found; metrics are at /metrics\n");
    },
  );
  server.maxConnections = l.maxConnections;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return server;
}
