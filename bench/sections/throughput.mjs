// Saturation throughput and latency of GetTask and CreateTask: the full server against the bare
// grpc-js baseline, alternating runs, medians; errors counted from the full server's metrics.
import { join } from "node:path";
import { h2load } from "../lib/h2load.mjs";
import { PATHS } from "../lib/frames.mjs";
import { requestCounters, startBareServer, startFullServer } from "../lib/servers.mjs";
import { median, round } from "../lib/stats.mjs";
import { prepareCustomTaskBodies } from "./prepare.mjs";

/** Runs the throughput comparison; returns one result row per operation. */
export async function throughputSection({ plugin, tmpDir, runs, durationS, clients = 8, streams = 16, log }) {
  const full = await startFullServer({ pluginArgs: plugin.args });
  const bare = await startBareServer();
  const rows = [];
  try {
    const bodies = await prepareCustomTaskBodies(full, tmpDir);
    for (const op of ["get", "create"]) {
      const file = op === "get" ? bodies.getFile : bodies.createFile;
      const per = { full: [], bare: [] };
      const before = await requestCounters(full.metricsPort);
      for (let r = 0; r < runs; r++) {
        for (const server of [bare, full]) {
          const res = await h2load({
            address: server.address,
            path: PATHS[op],
            bodyFile: file,
            clients,
            streams,
            durationS,
            warmupS: 1,
            logFile: join(tmpDir, "h2load.log"),
          });
          log(
            `  ${op} ${server.kind} run ${r + 1}/${runs}: ${round(res.rps, 0)} req/s p50 ${round(res.p50)} ms p99 ${round(res.p99)} ms`,
          );
          per[server.kind].push(res);
        }
      }
      const after = await requestCounters(full.metricsPort);
      const m = (kind, key) => median(per[kind].map((x) => x[key]));
      const transportErrors = [...per.full, ...per.bare].reduce((a, x) => a + x.failed + x.errored, 0);
      rows.push({
        operation: op === "get" ? "GetTask" : "CreateTask",
        fullRps: round(m("full", "rps"), 0),
        bareRps: round(m("bare", "rps"), 0),
        ratio: round(m("full", "rps") / m("bare", "rps"), 3),
        fullP50Ms: round(m("full", "p50"), 3),
        fullP99Ms: round(m("full", "p99"), 3),
        bareP50Ms: round(m("bare", "p50"), 3),
        bareP99Ms: round(m("bare", "p99"), 3),
        grpcErrors: after.failure - before.failure,
        transportErrors,
        runs,
        durationS,
        inFlight: clients * streams,
        samples: per,
      });
    }
  } finally {
    await Promise.all([full.stop(), bare.stop()]);
  }
  return rows;
}
