// Latency and CPU per call at a fixed GetTask rate (open loop per h2load client): the full server,
// the bare grpc-js baseline and the Python servicer. Each run sends exactly rate x duration
// requests after warming every server up at the rate (see WARM_UP_S), so the server's CPU time
// (utime + stime from /proc) over the run divided by the requests is its CPU per call at that
// rate. The time its threads spent runnable but waiting for a CPU shows how much other work on
// the machine got in the way.
import { join } from "node:path";
import { PATHS } from "../lib/frames.mjs";
import { h2load } from "../lib/h2load.mjs";
import { cpuSeconds, runQueueSeconds } from "../lib/proc.mjs";
import { requestCounters } from "../lib/servers.mjs";
import { round } from "../lib/stats.mjs";
import { checkBodies, prepareCustomTaskBodies } from "./prepare.mjs";
import { mediansOf, startCompared } from "./throughput.mjs";

/** Seconds at the rate before the first measured run, and before each one. */
const WARM_UP_S = 5;
const RUN_WARM_UP_S = 1;

/** GetTask at `rate` req/s spread over `clients` connections; medians over `runs`. */
export async function fixedRateSection({ plugin, tmpDir, rate = 2000, clients = 4, runs, durationS, python, log }) {
  const servers = await startCompared({ plugin, tmpDir, python });
  const full = servers.find((s) => s.kind === "full");
  try {
    const bodies = await prepareCustomTaskBodies(full, tmpDir);
    for (const s of servers) if (s !== full) await checkBodies(s, bodies);
    const per = Object.fromEntries(servers.map((s) => [s.kind, []]));
    const atRate = (server, requests) =>
      h2load({
        address: server.address,
        path: PATHS.get,
        bodyFile: bodies.getFile,
        clients,
        streams: 8,
        rps: Math.ceil(rate / clients),
        requests,
        logFile: join(tmpDir, "h2load-rate.log"),
      });
    // Steady state of a service that is polled all the time: five seconds at the rate before the
    // first run, and one more second right before each measured run, because each server sits
    // idle while the others are measured, and after 8 s of idle V8 shrinks the young generation
    // and collects (the Python server gets the same; it has no such state).
    for (const server of servers) await atRate(server, rate * WARM_UP_S);
    const before = await requestCounters(full.metricsPort);
    for (let r = 0; r < runs; r++) {
      for (const server of servers) {
        await atRate(server, rate * RUN_WARM_UP_S);
        const requests = rate * durationS;
        const cpu0 = cpuSeconds(server.child.pid);
        const wait0 = runQueueSeconds(server.child.pid);
        const t0 = performance.now();
        const res = await atRate(server, requests);
        const cpuMicrosPerCall = ((cpuSeconds(server.child.pid) - cpu0) * 1e6) / requests;
        const waitPercent = ((runQueueSeconds(server.child.pid) - wait0) / ((performance.now() - t0) / 1000)) * 100;
        log(
          `  GetTask @${rate}/s ${server.kind} run ${r + 1}/${runs}: ${round(res.rps, 0)} req/s p50 ${round(res.p50, 3)} ms ` +
            `p99 ${round(res.p99, 3)} ms, CPU ${round(cpuMicrosPerCall, 0)} µs/call, waiting for a CPU ${round(waitPercent, 0)} % of the time`,
        );
        per[server.kind].push({ ...res, cpuMicrosPerCall, waitPercent });
      }
    }
    const after = await requestCounters(full.metricsPort);
    const m = mediansOf(per);
    const out = { targetRps: rate, grpcErrors: after.failure - before.failure, runs, durationS, samples: per };
    for (const kind of Object.keys(per)) {
      out[kind] = {
        rps: round(m(kind, "rps"), 0),
        p50Ms: round(m(kind, "p50"), 3),
        p99Ms: round(m(kind, "p99"), 3),
        maxMs: round(m(kind, "max"), 3),
        cpuMicrosPerCall: round(m(kind, "cpuMicrosPerCall"), 1),
        waitPercent: round(m(kind, "waitPercent"), 0),
      };
    }
    return out;
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}
