import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import zlib from "node:zlib";
import { retryPolicy } from "@flyte-agent/core";
import { type JobsApiCall, JobsApiClient } from "../src/jobs-api";
import { captureLogger } from "./helpers";

// What the Jobs API client does with answers the fake never gives: compressed and oversized
// bodies, bodies cut short or stalled, and the headers it sends. Each answer comes from a real
// HTTP server on 127.0.0.1; the expected outcomes are the ones axios gave for the same answers.

const RUN = '{"job_id":12345678901234567890,"run_id":7,"state":{"life_cycle_state":"RUNNING","state_message":"héllo"}}';

let handler: (req: IncomingMessage, res: ServerResponse) => void;
let server: http.Server;
let baseUrl: string;
let client: JobsApiClient;

beforeEach(async () => {
  server = http.createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // Generous: a loaded CI machine must not turn a slow answer into a timeout. The stall test
  // makes its own client with a short timeout.
  client = new JobsApiClient({ requestTimeoutMs: 10_000, maxSockets: 4, retry: retryPolicy({ maxAttempts: 1 }) });
});
afterEach(async () => {
  client.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const call = (): JobsApiCall => ({ baseUrl, token: "tok", signal: new AbortController().signal, log: captureLogger() });

const EXPECTED_RUN = {
  kind: "ok",
  value: {
    runId: "7",
    jobId: "12345678901234567890",
    state: { life_cycle_state: "RUNNING", state_message: "héllo" },
    status: undefined,
    runPageUrl: undefined,
  },
};

test.each([
  ["gzip", (body: string) => zlib.gzipSync(body)],
  ["x-gzip", (body: string) => zlib.gzipSync(body)],
  ["deflate", (body: string) => zlib.deflateSync(body)],
  ["deflate", (body: string) => zlib.deflateRawSync(body)],
  ["br", (body: string) => zlib.brotliCompressSync(body)],
  ["zstd", (body: string) => zlib.zstdCompressSync(body)],
])("a body with Content-Encoding %s is decoded", async (encoding, encode) => {
  handler = (_req, res) => {
    res.writeHead(200, { "Content-Encoding": encoding });
    res.end(encode(RUN));
  };
  expect(await client.getRun(call(), "7")).toEqual(EXPECTED_RUN);
});

test("a byte order mark before the JSON is dropped", async () => {
  handler = (_req, res) => res.end(`\ufeff${RUN}`);
  expect(await client.getRun(call(), "7")).toEqual(EXPECTED_RUN);
});

test("a body over 16 MiB, plain or once decompressed, is refused", async () => {
  const tooLarge = {
    kind: "unavailable",
    attempts: 1,
    message: "cannot reach Databricks (ERR_BAD_RESPONSE: maxContentLength size of 16777216 exceeded) (after 1 attempt)",
  };
  handler = (_req, res) => res.end(Buffer.alloc(16 * 1024 * 1024 + 1, 32));
  expect(await client.getRun(call(), "7")).toEqual(tooLarge);
  handler = (_req, res) => {
    res.writeHead(200, { "Content-Encoding": "gzip" });
    res.end(zlib.gzipSync(Buffer.alloc(17 * 1024 * 1024, 32)));
  };
  expect(await client.getRun(call(), "7")).toEqual(tooLarge);
});

test("a body that is not what its Content-Encoding says is a network error", async () => {
  handler = (_req, res) => {
    res.writeHead(200, { "Content-Encoding": "gzip" });
    res.end("not gzip");
  };
  expect(await client.getRun(call(), "7")).toEqual({
    kind: "unavailable",
    attempts: 1,
    message: "cannot reach Databricks (Z_DATA_ERROR: incorrect header check) (after 1 attempt)",
  });
});

test("a body cut short by a closed connection is a network error", async () => {
  handler = (_req, res) => {
    res.writeHead(200, { "Content-Length": "1000" });
    res.write('{"job_id":');
    setImmediate(() => res.socket?.destroy());
  };
  expect(await client.getRun(call(), "7")).toEqual({
    kind: "unavailable",
    attempts: 1,
    message: "cannot reach Databricks (ERR_BAD_RESPONSE: stream has been aborted) (after 1 attempt)",
  });
});

test("a body that stops coming after the headers times out", async () => {
  handler = (_req, res) => {
    res.writeHead(200, { "Content-Length": "1000" });
    res.write("{");
  };
  const impatient = new JobsApiClient({ requestTimeoutMs: 500, maxSockets: 1, retry: retryPolicy({ maxAttempts: 1 }) });
  try {
    expect(await impatient.getRun(call(), "7")).toEqual({
      kind: "unavailable",
      attempts: 1,
      message: "no answer from Databricks within 500 ms (after 1 attempt)",
    });
  } finally {
    impatient.close();
  }
});

test("requests carry the headers, path and body axios sent, in its order", async () => {
  const seen: Array<{ method?: string; url?: string; headers: string[]; body: string }> = [];
  handler = (req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => {
      body += chunk;
    });
    req.on("end", () => {
      seen.push({ method: req.method, url: req.url, headers: req.rawHeaders, body });
      res.end("{}");
    });
  };
  await client.getRun({ ...call(), baseUrl: `${baseUrl}/ws` }, "7");
  await client.cancelRun(call(), "9007199254741001");
  const host = baseUrl.slice("http://".length);
  expect(seen).toEqual([
    {
      method: "GET",
      url: "/ws/api/2.1/jobs/runs/get?run_id=7",
      headers: [
        "Accept",
        "application/json",
        "Authorization",
        "Bearer tok",
        "User-Agent",
        expect.stringMatching(/^axios\/\d+\.\d+\.\d+$/),
        "Accept-Encoding",
        "gzip, compress, deflate, br",
        "Host",
        host,
        "Connection",
        "keep-alive",
      ],
      body: "",
    },
    {
      method: "POST",
      url: "/api/2.1/jobs/runs/cancel",
      headers: [
        "Accept",
        "application/json",
        "Content-Type",
        "application/json",
        "Authorization",
        "Bearer tok",
        "User-Agent",
        expect.stringMatching(/^axios\/\d+\.\d+\.\d+$/),
        "Content-Length",
        "27",
        "Accept-Encoding",
        "gzip, compress, deflate, br",
        "Host",
        host,
        "Connection",
        "keep-alive",
      ],
      body: '{"run_id":9007199254741001}',
    },
  ]);
});

test("a token with bytes a header cannot carry is sent without them, as axios sent it", async () => {
  const seen: Array<string | undefined> = [];
  handler = (req, res) => {
    seen.push(req.headers.authorization);
    res.end("{}");
  };
  const got = await client.getRun({ ...call(), token: "to\nk\u0100 \t" }, "7");
  expect(got.kind).toBe("ok");
  expect(seen).toEqual(["Bearer tok"]);
});
