import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { AgentMetrics } from "./metrics";
import { MAX_EXTERNAL_SERVICES, observeExternalCall, observeTaskFinished, setBuildInfo } from "./operations-metrics";
import { retryPolicy } from "./retry";
import { type HttpAnswer, type HttpAttempt, retryHttp } from "./retry-http";
import { Phase } from "./types";

/** The value of one series in a registry's exposition text, or undefined when it is absent. */
async function sample(metrics: AgentMetrics, name: string, labels: Record<string, string>): Promise<number | undefined> {
  const text = await metrics.registry.metrics();
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`)) continue;
    const body = line.slice(name.length + 1, line.indexOf("}"));
    const found = Object.fromEntries(
      body.split(/,(?=[a-z_]+=")/).map((pair) => {
        const eq = pair.indexOf("=");
        return [pair.slice(0, eq), JSON.parse(pair.slice(eq + 1)) as string];
      }),
    );
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) return Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return undefined;
}

/** A fake external API on 127.0.0.1 answering the given statuses in turn (then 200). */
async function fakeApi(statuses: number[]): Promise<{ url: string; server: Server }> {
  const queue = [...statuses];
  const server = createServer((_req, res) => {
    const status = queue.shift() ?? 200;
    res.writeHead(status, status === 429 ? { "retry-after": "0" } : {});
    res.end(JSON.stringify({ status }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`, server };
}

const fast = retryPolicy({ maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2, maxRetryAfterMs: 1_000 });

async function send(url: string): Promise<HttpAttempt<HttpAnswer>> {
  try {
    const res = await fetch(url);
    await res.arrayBuffer();
    return { status: res.status, headers: Object.fromEntries(res.headers) };
  } catch (err) {
    return { networkError: (err as Error).message };
  }
}

describe("external API metrics through retryHttp", () => {
  const metrics = new AgentMetrics({ defaultMetrics: false });
  const servers: Server[] = [];
  afterAll(() => {
    for (const s of servers) s.close();
  });

  it("counts every attempt by status, each retry by reason, and a request given up", async () => {
    const api = await fakeApi([429, 503, 200, 401, 500, 500, 500]);
    servers.push(api.server);
    const service = "MetricsTestApi";
    const options = { service, describe: (a: HttpAnswer) => `HTTP ${a.status}`, policy: fast };
    expect((await retryHttp(() => send(api.url), options)).kind).toBe("answer"); // 429, 503, 200
    expect((await retryHttp(() => send(api.url), options)).kind).toBe("answer"); // 401
    expect((await retryHttp(() => send(api.url), options)).kind).toBe("unavailable"); // 500 x 3

    const counted = async (code: string) => sample(metrics, "flyte_agent_external_requests_total", { service, code });
    expect(await counted("429")).toBe(1);
    expect(await counted("503")).toBe(1);
    expect(await counted("200")).toBe(1);
    expect(await counted("401")).toBe(1);
    expect(await counted("500")).toBe(3);
    const retries = (reason: string) => sample(metrics, "flyte_agent_external_retries_total", { service, reason });
    expect(await retries("429")).toBe(1);
    expect(await retries("5xx")).toBe(3); // 503 once, then 500 twice (the third 500 is not retried)
    expect(await sample(metrics, "flyte_agent_external_failures_total", { service })).toBe(1);
    expect(await sample(metrics, "flyte_agent_external_request_duration_seconds_count", { service })).toBe(7);
    expect(await sample(metrics, "flyte_agent_external_throttled_total", { service })).toBe(1); // the 429
  });

  it("a connection refused counts as network_error", async () => {
    const api = await fakeApi([]);
    await new Promise((resolve) => api.server.close(resolve));
    const service = "MetricsTestClosed";
    await retryHttp(() => send(api.url), { service, describe: () => "", policy: fast });
    expect(await sample(metrics, "flyte_agent_external_requests_total", { service, code: "network_error" })).toBe(3);
    expect(await sample(metrics, "flyte_agent_external_retries_total", { service, reason: "network_error" })).toBe(2);
  });
});

describe("observeExternalCall, the helper for SDKs that make their own requests", () => {
  const metrics = new AgentMetrics({ defaultMetrics: false });

  it("counts a 429 as throttled by itself, another status only when the caller says it is throttling", async () => {
    const service = "ThrottleTest";
    observeExternalCall(service, { status: 429 });
    observeExternalCall(service, { status: 400, throttled: true }); // AWS ThrottlingException
    observeExternalCall(service, { status: 503, throttled: true }); // S3 SlowDown
    observeExternalCall(service, { status: 503 }); // an outage, not throttling
    observeExternalCall(service, { status: 429, throttled: false }); // the caller knows better
    observeExternalCall(service, {}); // no answer
    expect(await sample(metrics, "flyte_agent_external_throttled_total", { service })).toBe(3);
    expect(await sample(metrics, "flyte_agent_external_requests_total", { service, code: "400" })).toBe(1);
    expect(await sample(metrics, "flyte_agent_external_requests_total", { service, code: "503" })).toBe(2);
  });

  it("counts statuses, refuses nonsense statuses as network_error, and bounds the services", async () => {
    observeExternalCall("SdkTest", { status: 403, seconds: 0.05 });
    observeExternalCall("SdkTest", { status: 42 });
    expect(await sample(metrics, "flyte_agent_external_requests_total", { service: "SdkTest", code: "403" })).toBe(1);
    expect(await sample(metrics, "flyte_agent_external_requests_total", { service: "SdkTest", code: "network_error" })).toBe(1);
    for (let i = 0; i < MAX_EXTERNAL_SERVICES + 5; i++) observeExternalCall(`Many${i}`, { status: 200 });
    const text = await metrics.registry.metrics();
    const services = new Set([...text.matchAll(/flyte_agent_external_requests_total\{service="([^"]+)"/g)].map((m) => m[1]));
    expect(services.size).toBe(MAX_EXTERNAL_SERVICES + 1); // the cap, plus "other"
    expect(services.has("other")).toBe(true);
  });
});

describe("tasks finished and build info", () => {
  const metrics = new AgentMetrics({ defaultMetrics: false });

  it("counts terminal phases only", async () => {
    observeTaskFinished("finish_test", Phase.RUNNING, "v1");
    observeTaskFinished("finish_test", Phase.SUCCEEDED, "v1");
    observeTaskFinished("finish_test", Phase.RETRYABLE_FAILED, "v2");
    const finished = (phase: string, protocol: string) =>
      sample(metrics, "flyte_agent_tasks_finished_total", { task_type: "finish_test", phase, protocol });
    expect(await finished("SUCCEEDED", "v1")).toBe(1);
    expect(await finished("RETRYABLE_FAILED", "v2")).toBe(1);
    expect(await finished("RUNNING", "v1")).toBeUndefined();
  });

  it("build info names the version, Node.js and the sorted plugins", async () => {
    setBuildInfo({ version: "9.9.9", plugins: ["@b/x@1.0.0", "@a/y@2.0.0"] });
    expect(
      await sample(metrics, "flyte_agent_build_info", {
        version: "9.9.9",
        node: process.version,
        plugins: "@a/y@2.0.0,@b/x@1.0.0",
      }),
    ).toBe(1);
  });
});
