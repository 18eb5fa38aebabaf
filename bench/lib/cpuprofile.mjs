// Summarises a V8 .cpuprofile (node --cpu-prof): self time by area of the code and the top
// functions, so BENCHMARKS.md can say where the server's time goes.
import { readFileSync } from "node:fs";

const AREAS = [
  ["garbage collection", (f) => f.functionName === "(garbage collector)"],
  ["idle", (f) => f.functionName === "(idle)"],
  ["V8 / native (program)", (f) => f.functionName === "(program)"],
  ["@grpc/grpc-js", (f) => f.url.includes("@grpc/grpc-js") || f.url.includes("@grpc+grpc-js")],
  ["pino (request log lines)", (f) => /pino|sonic-boom|thread-stream|fast-redact|quick-format/.test(f.url)],
  ["prom-client (metrics)", (f) => f.url.includes("prom-client")],
  ["protobuf encode/decode", (f) => f.url.includes("@bufbuild") || f.url.includes("flyteidl/dist/gen")],
  ["@flyte-agent/core server", (f) => f.url.includes("packages/core/dist/server")],
  ["@flyte-agent/core other", (f) => f.url.includes("packages/core/dist")],
  ["plugin", (f) => /packages\/(template|databricks|bigquery)\/dist|bench\/agents/.test(f.url)],
  ["node: http2, net, streams", (f) => f.url.startsWith("node:") && /http2|net|stream|_http|tls/.test(f.url)],
  ["node: other internals", (f) => f.url.startsWith("node:")],
  ["native (C++/builtins)", (f) => f.url === ""],
];

/** Now on the monotonic clock V8 stamps profile samples with (CLOCK_MONOTONIC), in microseconds. */
export function monotonicMicros() {
  return Number(process.hrtime.bigint() / 1000n);
}

/**
 * {byArea: [{area, percent}], top: [{fn, where, percent}]} of busy (non-idle) time. With
 * `window` ({fromUs, toUs} from {@link monotonicMicros}), only the samples taken in it count,
 * so start-up and module loading stay out of a profile of the load.
 */
export function summarizeProfile(file, topN = 15, window = undefined) {
  const profile = JSON.parse(readFileSync(file, "utf8"));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfMs = new Map();
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i] ?? 0;
    if (window && (at < window.fromUs || at > window.toUs)) continue;
    const id = profile.samples[i];
    selfMs.set(id, (selfMs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  }
  const areas = new Map();
  const fns = new Map();
  let busy = 0;
  for (const [id, ms] of selfMs) {
    const f = byId.get(id).callFrame;
    const area = AREAS.find(([, test]) => test(f))?.[0] ?? "other";
    if (area === "idle") continue;
    busy += ms;
    areas.set(area, (areas.get(area) ?? 0) + ms);
    const where = f.url
      .replace(/^.*node_modules\/(\.pnpm\/[^/]+\/node_modules\/)?/, "")
      .replace(/^file:\/\/.*\/packages\//, "packages/");
    const key = `${f.functionName || "(anonymous)"} ${where}:${f.lineNumber + 1}`;
    fns.set(key, (fns.get(key) ?? 0) + ms);
  }
  const pct = (ms) => Math.round((ms / busy) * 1000) / 10;
  return {
    busyMs: Math.round(busy),
    byArea: [...areas].sort((a, b) => b[1] - a[1]).map(([area, ms]) => ({ area, percent: pct(ms) })),
    top: [...fns]
      .sort((a, b) => b[1] - a[1])
      .slice(0, topN)
      .map(([fn, ms]) => ({ fn, percent: pct(ms) })),
  };
}
