/**
 * The `/metrics` port is bounded like the gRPC port: at most `maxConnections` open connections
 * (one more is closed at once, and the server reports the drop), request headers within
 * `maxHeaderBytes` (431 past it) and within `headersTimeoutMs` (408, then the connection closes,
 * however slowly they are sent). Each test proves one bound at its limit.
 */
import type { Server } from "node:http";
import { connect, type Socket } from "node:net";
import { once } from "node:events";
import { AgentMetrics, METRICS_LISTENER_LIMITS } from "../../src/metrics";

let server: Server | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  if (server) await new Promise((resolve) => server!.close(resolve));
  server = undefined;
});

async function listen(limits: Parameters<AgentMetrics["listen"]>[2] = {}): Promise<number> {
  server = await new AgentMetrics({ defaultMetrics: false, legacy: false }).listen(0, "127.0.0.1", limits);
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

/** A connected socket (kept for cleanup). */
async function open(port: number): Promise<Socket> {
  const socket = connect(port, "127.0.0.1");
  sockets.push(socket);
  socket.on("error", () => undefined); // a closed connection may reset
  await once(socket, "connect");
  return socket;
}

/** Everything the server sends on `socket` until it closes it. */
async function untilClosed(socket: Socket): Promise<string> {
  let text = "";
  socket.on("data", (d: Buffer) => {
    text += d.toString("latin1");
  });
  await once(socket, "close");
  return text;
}

const connections = () =>
  new Promise<number>((resolve, reject) => server!.getConnections((err, n) => (err ? reject(err) : resolve(n))));

async function connectionsReach(n: number): Promise<void> {
  // Each accepted connection is counted when the server's "connection" event has run.
  while ((await connections()) < n) await once(server!, "connection");
}

describe("the /metrics listener's limits", () => {
  it("has defaults that leave room for scrapers and bound the rest", () => {
    expect(METRICS_LISTENER_LIMITS).toEqual({
      maxConnections: 64,
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
      maxHeaderBytes: 8192,
      checkIntervalMs: 1000,
    });
  });

  it("holds at most maxConnections connections: the next one is closed at once, a scrape works again after one leaves", async () => {
    const max = 8;
    const port = await listen({ maxConnections: max });
    const held = [];
    for (let i = 0; i < max; i++) held.push(await open(port));
    await connectionsReach(max);

    const dropped = once(server!, "drop");
    const extra = await open(port);
    const [info] = (await dropped) as [{ localPort: number }];
    expect(info.localPort).toBe(port);
    expect(await untilClosed(extra)).toBe(""); // closed without an answer
    expect(await connections()).toBe(max);

    held[0]!.destroy();
    while ((await connections()) > max - 1) await new Promise((resolve) => setImmediate(resolve));
    const scrape = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(scrape.status).toBe(200);
    expect(await scrape.text()).toContain("flyte_connector_requests_success_total");
  });

  it("answers 431 to headers over maxHeaderBytes, and serves headers just under it", async () => {
    const maxHeaderBytes = 2048;
    const port = await listen({ maxHeaderBytes });
    const request = (filler: number) => `GET /metrics HTTP/1.1\r\nHost: a\r\nX-Filler: ${"f".repeat(filler)}\r\n\r\n`;
    const overhead = request(0).length;

    const over = await open(port);
    over.end(request(maxHeaderBytes - overhead + 64));
    expect(await untilClosed(over)).toMatch(/^HTTP\/1\.1 431 /);

    const under = await open(port);
    under.write(request(maxHeaderBytes - overhead - 64));
    let answer = "";
    for await (const chunk of under) {
      answer += (chunk as Buffer).toString("latin1");
      if (answer.includes("flyte_connector")) break;
    }
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
  });

  it("closes a connection whose headers do not arrive within headersTimeoutMs, however slowly they trickle in", async () => {
    const headersTimeoutMs = 600;
    const port = await listen({ headersTimeoutMs, requestTimeoutMs: 1200, checkIntervalMs: 100 });
    const slow = await open(port);
    const started = performance.now();
    const closed = untilClosed(slow);
    // One byte of an unfinished request every 50 ms, for longer than the timeout allows.
    const trickle = "GET /metrics HTTP/1.1\r\nHost: a\r\nX-Slow: ".split("");
    const timer = setInterval(() => {
      if (!slow.destroyed) slow.write(trickle.shift() ?? "x");
    }, 50);
    try {
      const answer = await closed;
      expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    } finally {
      clearInterval(timer);
    }
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(headersTimeoutMs);
    // Node's own default would hold it for 60 s; the slack is for a loaded machine.
    expect(elapsed).toBeLessThan(headersTimeoutMs + 10_000);
  }, 30_000);
});
