// Scale: N Databricks tasks in flight (created through the full server against a loopback fake
// Jobs API with 20 ms latency), then GetTask at a fixed rate cycling through all of them, from a
// separate client process. Records latency, errors, server RSS and the fake's TCP connections.
// The server runs on the server's CPU, the fake and the client on the load generators' CPU.
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { runLoadClient, startFakeDatabricksProcess, writeBodies } from "../lib/children.mjs";
import { createTaskBytes, getTaskBytes, PATHS, resourceMetaOf } from "../lib/frames.mjs";
import { cpuSeconds, rssMiB, runQueueSeconds } from "../lib/proc.mjs";
import { startFullServer } from "../lib/servers.mjs";
import { percentile, round } from "../lib/stats.mjs";

const DATABRICKS_CONF = {
  run_name: "bench",
  existing_cluster_id: "0101-010101-bench01",
  spark_python_task: { python_file: "dbfs:/bench/main.py" },
};

/**
 * Runs the scale scenario `runs` times, each with a new server and fake, and marks each run
 * against the targets (p99 <= `p99TargetMs`, max RSS <= `rssTargetMiB`): they must hold in every run.
 */
export async function scaleSection({ runs = 1, p99TargetMs = 60, rssTargetMiB = 200, log, ...options }) {
  const results = [];
  for (let r = 0; r < runs; r++) {
    if (runs > 1) log(`  run ${r + 1}/${runs}:`);
    const run = await scaleRun({ ...options, log });
    run.p99Met = run.p99Ms <= p99TargetMs;
    run.rssMet = run.maxRssMiB <= rssTargetMiB;
    results.push(run);
  }
  return {
    runs: results,
    p99TargetMs,
    rssTargetMiB,
    p99MetEveryRun: results.every((r) => r.p99Met),
    rssMetEveryRun: results.every((r) => r.rssMet),
  };
}

/** One scale run: `tasks` created, then `rate` GetTask/s for `seconds`. */
async function scaleRun({ tasks, seconds, rate = 1000, latencyMs = 20, tmpDir = tmpdir(), log }) {
  const fake = await startFakeDatabricksProcess(latencyMs);
  const server = await startFullServer({
    pluginArgs: ["--include", "@flyte-agent/databricks"],
    env: { FLYTE_DATABRICKS_INSTANCE: fake.url, _FSEC_FLYTE_DATABRICKS_ACCESS_TOKEN: fake.token },
  });
  try {
    const creates = Array.from({ length: tasks }, (_, i) =>
      createTaskBytes({ type: "databricks", custom: { databricksConf: DATABRICKS_CONF }, nodeId: `n${i}` }),
    );
    const t0 = performance.now();
    const created = await runLoadClient({
      mode: "closed",
      address: server.address,
      path: PATHS.create,
      bodiesFile: writeBodies(join(tmpDir, "scale-create.bin"), creates),
      concurrency: 200,
    });
    const createSeconds = (performance.now() - t0) / 1000;
    const createErrors = Object.entries(created.codes).filter(([c]) => c !== "0" && c !== "firstError");
    if (createErrors.length > 0) throw new Error(`CreateTask failed: ${JSON.stringify(created.codes)}`);
    log(`  created ${tasks} runs in ${round(createSeconds, 1)} s (${round(tasks / createSeconds, 0)}/s)`);

    const gets = created.replies.map((b64) =>
      getTaskBytes({ type: "databricks", resourceMeta: resourceMetaOf(Buffer.from(b64, "base64")) }),
    );
    const before = await fake.stats();
    const cpu0 = { server: cpuSeconds(server.child.pid), fake: cpuSeconds(fake.pid), wait: runQueueSeconds(server.child.pid) };
    let maxRss = rssMiB(server.child.pid);
    let polling = true;
    const sampling = (async () => {
      for (let s = 0; s < seconds + 5 && polling; s++) {
        await delay(1000); // an RSS sample per second
        maxRss = Math.max(maxRss, rssMiB(server.child.pid) || 0);
      }
    })();
    const polled = await runLoadClient({
      mode: "rate",
      address: server.address,
      path: PATHS.get,
      bodiesFile: writeBodies(join(tmpDir, "scale-get.bin"), gets),
      rate,
      seconds,
    });
    polling = false;
    await sampling;
    maxRss = Math.max(maxRss, rssMiB(server.child.pid) || 0);
    const after = await fake.stats();
    const cpuPercent = (pid, from) => round(((cpuSeconds(pid) - from) / polled.seconds) * 100, 0);
    const errors = Object.entries(polled.codes)
      .filter(([c]) => c !== "0" && c !== "firstError")
      .reduce((a, [, n]) => a + n, 0);
    const result = {
      agent: "@flyte-agent/databricks",
      tasks,
      fakeLatencyMs: latencyMs,
      createSeconds: round(createSeconds, 1),
      targetRps: rate,
      seconds,
      achievedRps: round(polled.sent / polled.seconds, 0),
      p50Ms: round(percentile(polled.latencies, 0.5), 2),
      p99Ms: round(percentile(polled.latencies, 0.99), 2),
      maxMs: round(percentile(polled.latencies, 1), 2),
      errors,
      firstError: polled.codes.firstError,
      maxRssMiB: round(maxRss, 1),
      fakeConnections: after.stats.connections,
      fakeConnectionsDuringGets: after.stats.connections - before.stats.connections,
      fakeRequests: after.stats.requests,
      fakeGets: after.stats.gets - before.stats.gets,
      // CPU use during the GetTask phase, in % of one core: tells which process was the bottleneck
      serverCpuPercent: cpuPercent(server.child.pid, cpu0.server),
      fakeCpuPercent: cpuPercent(fake.pid, cpu0.fake),
      serverWaitPercent: round(((runQueueSeconds(server.child.pid) - cpu0.wait) / polled.seconds) * 100, 0),
      clientCpuPercent: round(polled.cpuMicros / 1e4 / polled.seconds, 0),
    };
    log(
      `  GetTask ${result.achievedRps}/s for ${seconds} s: p50 ${result.p50Ms} ms p99 ${result.p99Ms} ms, ${errors} errors, ` +
        `max RSS ${result.maxRssMiB} MiB, ${result.fakeConnections} connections for ${result.fakeRequests} requests; ` +
        `CPU: server ${result.serverCpuPercent} % (and ${result.serverWaitPercent} % runnable but waiting for a CPU), fake ${result.fakeCpuPercent} %, client ${result.clientCpuPercent} % of a core`,
    );
    return result;
  } finally {
    await server.stop();
    await fake.close();
  }
}
