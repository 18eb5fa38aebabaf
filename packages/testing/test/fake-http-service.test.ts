import { request } from "node:http";
import { startFakeHttpService } from "../src";

function call(url: string, init: { method?: string; body?: string; agent?: import("node:http").Agent } = {}) {
  return new Promise<{ status: number; body: string; type: string | undefined }>((resolve, reject) => {
    const req = request(
      url,
      { method: init.method ?? "GET", agent: init.agent, headers: { "content-type": "application/json" } },
      (res) => {
        let body = "";
        res.on("data", (c: Buffer) => {
          body += c.toString();
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body, type: res.headers["content-type"] }));
      },
    );
    req.on("error", reject);
    req.end(init.body);
  });
}

describe("startFakeHttpService", () => {
  test("records requests with parsed JSON body and query, and answers JSON", async () => {
    const api = await startFakeHttpService((req) => ({ status: 201, json: { echo: req.body, q: req.query.x } }));
    const res = await call(`${api.url}/api/jobs?x=1`, { method: "POST", body: '{"a":1}' });
    expect(res).toEqual({ status: 201, body: '{"echo":{"a":1},"q":"1"}', type: "application/json; charset=utf-8" });
    expect(api.requests).toHaveLength(1);
    expect(api.requests[0]).toMatchObject({
      method: "POST",
      path: "/api/jobs",
      query: { x: "1" },
      body: { a: 1 },
      rawBody: '{"a":1}',
    });
  });

  test("a throwing handler answers 500 with its message; setHandler swaps behaviour", async () => {
    const api = await startFakeHttpService(() => {
      throw new Error("boom");
    });
    expect(await call(`${api.url}/x`)).toMatchObject({ status: 500, body: '{"error":{"message":"boom"}}' });
    api.setHandler(() => ({ body: "plain" }));
    expect(await call(`${api.url}/x`)).toMatchObject({ status: 200, body: "plain" });
  });

  test("connectionCount shows keep-alive reuse", async () => {
    const api = await startFakeHttpService(() => ({ json: {} }));
    const { Agent } = await import("node:http");
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    for (let i = 0; i < 3; i++) await call(`${api.url}/x`, { agent });
    expect(api.connectionCount).toBe(1);
    await call(`${api.url}/x`); // no keep-alive agent: a new connection
    expect(api.connectionCount).toBe(2);
    agent.destroy();
  });

  test("close() stops listening", async () => {
    const api = await startFakeHttpService(() => ({}));
    await api.close();
    await expect(call(`${api.url}/x`)).rejects.toThrow(/ECONNREFUSED/);
  });
});
