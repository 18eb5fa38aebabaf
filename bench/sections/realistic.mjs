// Realistic load, shaped like propeller: the Databricks plugin with `tasks` runs in flight
// against a loopback fake Jobs API (its own process, answering in `latencyMs`), then, for
// `seconds`, GetTask at `getRate`/s cycling through every run (ten propellers at their 10/s cap),
// CreateTask at `createRate`/s and ListAgents every `listEverySeconds` s, each stream from its own
// client process. Reports the server's CPU in % of one core (the fake's and the clients' CPU is
// not counted), its peak RSS, GetTask p50/p99 and errors, and marks them against the targets.
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { runLoadClient, startFakeDatabricksProcess, writeBodies } from "../lib/children.mjs";
import { createTaskBytes, getTaskBytes, PATHS, resourceMetaOf } from "../lib/frames.mjs";
import { monotonicMicros } from "../lib/cpuprofile.mjs";
import { cpuSeconds, rssMiB, threadCpuSeconds } from "../lib/proc.mjs";
import { startBareHttpServer, startFullServer } from "../lib/servers.mjs";
import { median, percentile, round } from "../lib/stats.mjs";

const DATABRICKS_CONF = {
  run_name: "bench",
  existing_cluster_id: "0101-010101-bench01",
  spark_python_task: { python_file: "dbfs:/bench/main.py" },
};

/** The targets of issue 21's table: realistic load. */
export const REALISTIC_TARGETS = { cpuPercent: 5, rssMiB: 120, p99SlackMs: 10 };

/**
 * Runs the scenario `runs` times (a new server and fake each), alternating the full server with
 * its baseline (bare grpc-js making the same Jobs API calls with Node's `http`, so the floor that
 * any grpc-js server pays at this load is measured on the same machine in the same run), and
 * reports each run, the medians and the full server's CPU as a multiple of the baseline's.
 * `baseline: false` skips the baseline runs.
 */
export async function realisticSection({ runs = 1, log, baseline = true, ...options }) {
  const results = [];
  const baselines = [];
  for (let r = 0; r < runs; r++) {
    if (runs > 1) log(`  run ${r + 1}/${runs}:`);
    results.push(await realisticRun({ ...options, log }));
    if (baseline) {
      log("  baseline (bare grpc-js + node:http, same load):");
      baselines.push(await realisticRun({ ...options, log, baseline: true }));
    }
  }
  const summary = { ...summarize(results), tasks: results[0]?.tasks, fakeLatencyMs: results[0]?.fakeLatencyMs };
  summary.cpuMet = summary.serverCpuPercent <= REALISTIC_TARGETS.cpuPercent;
  summary.rssMet = summary.maxRssMiB <= REALISTIC_TARGETS.rssMiB;
  summary.p99Met = summary.getP99Ms <= summary.fakeLatencyMs + REALISTIC_TARGETS.p99SlackMs;
  summary.errorsMet = summary.errors === 0;
  if (baselines.length > 0) {
    summary.baseline = summarize(baselines);
    summary.cpuVsBaseline = round(summary.serverCpuPercent / summary.baseline.serverCpuPercent, 2);
  }
  return summary;
}

/** Medians (and the error total) of a list of runs. */
function summarize(results) {
  const med = (key) => round(median(results.map((x) => x[key])), 2);
  return {
    runs: results,
    serverCpuPercent: med("serverCpuPercent"),
    serverCpuMicrosPerCall: med("serverCpuMicrosPerCall"),
    maxRssMiB: med("maxRssMiB"),
    getP50Ms: med("getP50Ms"),
    getP99Ms: med("getP99Ms"),
    errors: results.reduce((a, x) => a + x.errors, 0),
  };
}

const errorsOf = (codes) =>
  Object.entries(codes)
    .filter(([c]) => c !== "0" && c !== "firstError")
    .reduce((a, [, n]) => a + n, 0);

/** The V8 heap (total and used) and external memory at the end, in MiB, from the server's /metrics. */
async function memoryOf(metricsPort) {
  const body = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  const mib = (name) => round(Number(new RegExp(`^${name} (\\S+)$`, "m").exec(body)?.[1]) / 1048576, 1);
  return {
    heapTotalMiB: mib("nodejs_heap_size_total_bytes"),
    heapUsedMiB: mib("nodejs_heap_size_used_bytes"),
    externalMiB: mib("nodejs_external_memory_bytes"),
  };
}

/** One run of the scenario. */
async function realisticRun({
  tasks = 10_000,
  seconds = 60,
  getRate = 100,
  createRate = 2,
  listEverySeconds = 10,
  latencyMs = 200,
  createConcurrency = Number(process.env.BENCH_REALISTIC_CREATE_CONCURRENCY ?? 100),
  tmpDir,
  log,
  baseline = false,
}) {
  const fake = await startFakeDatabricksProcess(latencyMs);
  const server = baseline
    ? await startBareHttpServer({ jobsApiUrl: fake.url, token: fake.token })
    : await startFullServer({
        pluginArgs: ["--include", "@flyte-agent/databricks"],
        env: { FLYTE_DATABRICKS_INSTANCE: fake.url, _FSEC_FLYTE_DATABRICKS_ACCESS_TOKEN: fake.token },
      });
  try {
    const creates = Array.from({ length: tasks }, (_, i) =>
      createTaskBytes({ type: "databricks", custom: { databricksConf: DATABRICKS_CONF }, nodeId: `n${i}` }),
    );
    const t0 = performance.now();
    // Setting up: 100 creates in flight (10,000 runs take about 20 s at 200 ms each). More would
    // measure the memory of a burst that propeller, creating one task per attempt, never sends.
    const created = await runLoadClient({
      mode: "closed",
      address: server.address,
      path: PATHS.create,
      bodiesFile: writeBodies(join(tmpDir, "realistic-create.bin"), creates),
      concurrency: createConcurrency,
    });
    if (errorsOf(created.codes) > 0) throw new Error(`CreateTask failed: ${JSON.stringify(created.codes)}`);
    log(`  ${tasks} Databricks runs in flight after ${round((performance.now() - t0) / 1000, 1)} s`);
    const gets = created.replies.map((b64) =>
      getTaskBytes({ type: "databricks", resourceMeta: resourceMetaOf(Buffer.from(b64, "base64")) }),
    );
    const newCreates = Array.from({ length: Math.ceil(createRate * seconds) }, (_, i) =>
      createTaskBytes({ type: "databricks", custom: { databricksConf: DATABRICKS_CONF }, nodeId: `later${i}` }),
    );

    const pid = server.child.pid;
    const cpu0 = cpuSeconds(pid);
    const threads0 = threadCpuSeconds(pid);
    const started = performance.now();
    const windowFromUs = monotonicMicros();
    let maxRss = rssMiB(pid);
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        await delay(500); // two RSS samples per second
        maxRss = Math.max(maxRss, rssMiB(pid) || 0);
      }
    })();
    const clients = [
      runLoadClient({
        mode: "rate",
        address: server.address,
        path: PATHS.get,
        bodiesFile: writeBodies(join(tmpDir, "realistic-get.bin"), gets),
        rate: getRate,
        seconds,
      }),
      runLoadClient({
        mode: "rate",
        address: server.address,
        path: PATHS.create,
        bodiesFile: writeBodies(join(tmpDir, "realistic-create-more.bin"), newCreates),
        rate: createRate,
        seconds,
      }),
      runLoadClient({
        mode: "rate",
        address: server.address,
        path: PATHS.listAgents,
        bodiesFile: writeBodies(join(tmpDir, "realistic-list.bin"), [Buffer.alloc(0)]),
        rate: 1 / listEverySeconds,
        seconds,
      }),
    ];
    // The GetTask stream sets the window: its last call answered ends it. (A ListAgents due at
    // the very end may come after.)
    const got = await clients[0];
    const elapsed = (performance.now() - started) / 1000;
    const profileWindow = { fromUs: windowFromUs, toUs: monotonicMicros() };
    const cpu = cpuSeconds(pid) - cpu0;
    const threads1 = threadCpuSeconds(pid);
    const cpuByThread = Object.fromEntries(
      Object.entries(threads1)
        .map(([k, v]) => [k, round(((v - (threads0[k] ?? 0)) / elapsed) * 100, 2)])
        .filter(([, v]) => v > 0),
    );
    const [, made, listed] = await Promise.all(clients);
    sampling = false;
    await sampler;
    maxRss = Math.max(maxRss, rssMiB(pid) || 0);
    const memory = baseline ? {} : await memoryOf(server.metricsPort);
    const result = {
      agent: baseline ? "bare grpc-js + node:http" : "@flyte-agent/databricks",
      tasks,
      fakeLatencyMs: latencyMs,
      seconds: round(elapsed, 1),
      getRps: round(got.sent / got.seconds, 1),
      creates: made.sent,
      listAgents: listed.sent,
      serverCpuPercent: round((cpu / elapsed) * 100, 2),
      serverCpuPercentByThread: cpuByThread,
      profileWindow,
      serverCpuMicrosPerCall: round((cpu * 1e6) / (got.sent + made.sent + listed.sent), 0),
      maxRssMiB: round(maxRss, 1),
      rssAtEndMiB: round(rssMiB(pid), 1),
      ...memory,
      getP50Ms: round(percentile(got.latencies, 0.5), 1),
      getP99Ms: round(percentile(got.latencies, 0.99), 1),
      createP99Ms: round(percentile(made.latencies, 0.99), 1),
      errors: errorsOf(got.codes) + errorsOf(made.codes) + errorsOf(listed.codes),
      firstError: got.codes.firstError ?? made.codes.firstError ?? listed.codes.firstError,
    };
    log(
      `  ${result.getRps} GetTask/s, ${result.creates} CreateTask, ${result.listAgents} ListAgents in ${result.seconds} s: ` +
        `server CPU ${result.serverCpuPercent} % of a core (${result.serverCpuMicrosPerCall} µs/call), max RSS ${result.maxRssMiB} MiB, ` +
        `GetTask p50 ${result.getP50Ms} ms p99 ${result.getP99Ms} ms, CreateTask p99 ${result.createP99Ms} ms, ${result.errors} errors`,
    );
    return result;
  } finally {
    await server.stop();
    await fake.close();
  }
}
