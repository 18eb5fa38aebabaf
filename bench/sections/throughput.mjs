// Saturation throughput and latency of GetTask and CreateTask: the full server against the bare
// grpc-js baseline and the flytekit-shaped Python servicer, alternating runs, medians; errors
// counted from the full server's metrics; each server's RSS once all the load has run.
import { join } from "node:path";
import { PATHS } from "../lib/frames.mjs";
import { h2load } from "../lib/h2load.mjs";
import { rssMiB } from "../lib/proc.mjs";
import { startPythonServer } from "../lib/python-baseline.mjs";
import { requestCounters, startBareServer, startFullServer } from "../lib/servers.mjs";
import { median, round } from "../lib/stats.mjs";
import { checkBodies, prepareCustomTaskBodies } from "./prepare.mjs";

/** Starts the full server, the bare baseline and (when `python`) the Python servicer. */
export async function startCompared({ plugin, tmpDir, python }) {
  const servers = [await startBareServer(), await startFullServer({ pluginArgs: plugin.args })];
  try {
    if (python) servers.push(await startPythonServer({ tmpDir }));
  } catch (err) {
    await Promise.all(servers.map((s) => s.stop()));
    throw err;
  }
  return servers;
}

/** Medians of a key over the runs of one server kind (NaN when that kind did not run). */
export function mediansOf(per) {
  return (kind, key) => median((per[kind] ?? []).map((x) => x[key]));
}

/**
 * Runs the throughput comparison.
 * @returns {{operations: object[], rssAfterLoadMiB: {full: number, bare: number, python?: number}}}
 */
export async function throughputSection({ plugin, tmpDir, runs, durationS, python, clients = 8, streams = 16, log }) {
  const servers = await startCompared({ plugin, tmpDir, python });
  const full = servers.find((s) => s.kind === "full");
  const operations = [];
  try {
    const bodies = await prepareCustomTaskBodies(full, tmpDir);
    for (const s of servers) if (s !== full) await checkBodies(s, bodies);
    for (const op of ["get", "create"]) {
      const file = op === "get" ? bodies.getFile : bodies.createFile;
      const per = Object.fromEntries(servers.map((s) => [s.kind, []]));
      const before = await requestCounters(full.metricsPort);
      for (let r = 0; r < runs; r++) {
        for (const server of servers) {
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
      const m = mediansOf(per);
      const transportErrors = Object.values(per)
        .flat()
        .reduce((a, x) => a + x.failed + x.errored, 0);
      operations.push({
        operation: op === "get" ? "GetTask" : "CreateTask",
        fullRps: round(m("full", "rps"), 0),
        bareRps: round(m("bare", "rps"), 0),
        pythonRps: round(m("python", "rps"), 0),
        ratio: round(m("full", "rps") / m("bare", "rps"), 3),
        pythonRatio: round(m("full", "rps") / m("python", "rps"), 2),
        fullP50Ms: round(m("full", "p50"), 3),
        fullP99Ms: round(m("full", "p99"), 3),
        bareP50Ms: round(m("bare", "p50"), 3),
        bareP99Ms: round(m("bare", "p99"), 3),
        pythonP50Ms: round(m("python", "p50"), 3),
        pythonP99Ms: round(m("python", "p99"), 3),
        grpcErrors: after.failure - before.failure,
        transportErrors,
        runs,
        durationS,
        inFlight: clients * streams,
        samples: per,
      });
    }
    const rssAfterLoadMiB = Object.fromEntries(servers.map((s) => [s.kind, round(rssMiB(s.child.pid), 1)]));
    log(
      `  RSS after the load (MiB): ${Object.entries(rssAfterLoadMiB)
        .map(([k, v]) => `${k} ${v}`)
        .join(", ")}`,
    );
    return { operations, rssAfterLoadMiB, rssRatio: round(rssAfterLoadMiB.full / rssAfterLoadMiB.bare, 3) };
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}
