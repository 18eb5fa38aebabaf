// Latency at a fixed GetTask rate (open loop per h2load client), full server and baseline.
import { join } from "node:path";
import { h2load } from "../lib/h2load.mjs";
import { PATHS } from "../lib/frames.mjs";
import { requestCounters, startBareServer, startFullServer } from "../lib/servers.mjs";
import { median, round } from "../lib/stats.mjs";
import { prepareCustomTaskBodies } from "./prepare.mjs";

/** GetTask at `rate` req/s spread over `clients` connections; medians over `runs`. */
export async function fixedRateSection({ plugin, tmpDir, rate = 2000, clients = 4, runs, durationS, log }) {
  const full = await startFullServer({ pluginArgs: plugin.args });
  const bare = await startBareServer();
  try {
    const bodies = await prepareCustomTaskBodies(full, tmpDir);
    const per = { full: [], bare: [] };
    const before = await requestCounters(full.metricsPort);
    for (let r = 0; r < runs; r++) {
      for (const server of [bare, full]) {
        const res = await h2load({
          address: server.address,
          path: PATHS.get,
          bodyFile: bodies.getFile,
          clients,
          streams: 8,
          rps: Math.ceil(rate / clients),
          durationS,
          warmupS: 1,
          logFile: join(tmpDir, "h2load-rate.log"),
        });
        log(
          `  GetTask @${rate}/s ${server.kind} run ${r + 1}/${runs}: ${round(res.rps, 0)} req/s p50 ${round(res.p50, 3)} ms p99 ${round(res.p99, 3)} ms`,
        );
        per[server.kind].push(res);
      }
    }
    const after = await requestCounters(full.metricsPort);
    const m = (kind, key) => median(per[kind].map((x) => x[key]));
    return {
      targetRps: rate,
      fullRps: round(m("full", "rps"), 0),
      fullP50Ms: round(m("full", "p50"), 3),
      fullP99Ms: round(m("full", "p99"), 3),
      fullMaxMs: round(m("full", "max"), 3),
      bareP50Ms: round(m("bare", "p50"), 3),
      bareP99Ms: round(m("bare", "p99"), 3),
      grpcErrors: after.failure - before.failure,
      runs,
      durationS,
      samples: per,
    };
  } finally {
    await Promise.all([full.stop(), bare.stop()]);
  }
}
