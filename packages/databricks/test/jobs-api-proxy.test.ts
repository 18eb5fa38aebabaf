import http from "node:http";
import type { AddressInfo } from "node:net";
import { retryPolicy } from "@flyte-agent/core";
import { type JobsApiCall, JobsApiClient } from "../src/jobs-api";
import { type FakeDatabricks, startFakeDatabricks } from "../src/testing";
import { captureLogger } from "./helpers";

// HTTP_PROXY / NO_PROXY are honoured as axios honours them: a real forward proxy on 127.0.0.1
// relays the requests it is given and records their request lines.

const PROXY_VARS = ["HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"];
const saved = new Map(PROXY_VARS.map((name) => [name, process.env[name]]));

let fake: FakeDatabricks;
let proxy: http.Server;
let proxyUrl: string;
let relayed: string[];
let client: JobsApiClient;

beforeEach(async () => {
  for (const name of PROXY_VARS) delete process.env[name];
  fake = await startFakeDatabricks();
  relayed = [];
  proxy = http.createServer((req, res) => {
    relayed.push(`${req.method} ${req.url}`);
    const upstream = http.request(req.url ?? "", { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  client = new JobsApiClient({ requestTimeoutMs: 10_000, maxSockets: 4, retry: retryPolicy({ maxAttempts: 1 }) });
});
afterEach(async () => {
  client.close();
  proxy.closeAllConnections();
  await new Promise((resolve) => proxy.close(resolve));
  await fake.close();
  for (const [name, value] of saved) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

const call = (): JobsApiCall => ({
  baseUrl: fake.url,
  token: fake.token,
  signal: new AbortController().signal,
  log: captureLogger(),
});

test("with HTTP_PROXY set, every request goes through the proxy", async () => {
  process.env.HTTP_PROXY = proxyUrl;
  const submitted = await client.submitRun(call(), { existing_cluster_id: "c", idempotency_token: "p1" });
  if (submitted.kind !== "ok") throw new Error(`submit failed: ${JSON.stringify(submitted)}`);
  const got = await client.getRun(call(), submitted.value.runId);
  expect(got.kind).toBe("ok");
  expect(relayed).toEqual([
    `POST ${fake.url}/api/2.1/jobs/runs/submit`,
    `GET ${fake.url}/api/2.1/jobs/runs/get?run_id=${submitted.value.runId}`,
  ]);
  expect(fake.stats.requests).toBe(2);
});

test("a host named in NO_PROXY is reached directly", async () => {
  process.env.HTTP_PROXY = proxyUrl;
  process.env.NO_PROXY = "localhost,127.0.0.1";
  const got = await client.getRun(call(), "1");
  expect(got.kind).toBe("not_found");
  expect(relayed).toEqual([]);
  expect(fake.stats.requests).toBe(1);
});

test("a proxy set after the client was made is used from the next request on", async () => {
  await client.getRun(call(), "1");
  process.env.http_proxy = proxyUrl;
  await client.getRun(call(), "2");
  expect(relayed).toEqual([`GET ${fake.url}/api/2.1/jobs/runs/get?run_id=2`]);
  expect(fake.stats.requests).toBe(2);
});

test("an unreachable proxy is a network error, reported as unavailable", async () => {
  const closed = http.createServer();
  await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((resolve) => closed.close(resolve));
  process.env.HTTP_PROXY = `http://127.0.0.1:${port}`;
  const got = await client.getRun(call(), "1");
  expect(got).toEqual({
    kind: "unavailable",
    attempts: 1,
    message: `cannot reach Databricks (ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:${port}) (after 1 attempt)`,
  });
  expect(fake.stats.requests).toBe(0);
});
