// Soak: GetTask at the maximum rate (h2load closed loop, 8 connections x 16 streams) against the
// full server for `seconds`, with its RSS sampled every second. Reports the samples, the maximum,
// and the growth over the last minute (or the last half of a shorter soak): the median of the
// window's first five samples against the median of its last five.
import { join } from "node:path";
import { PATHS } from "../lib/frames.mjs";
import { h2load } from "../lib/h2load.mjs";
import { rssMiB } from "../lib/proc.mjs";
import { requestCounters, startFullServer } from "../lib/servers.mjs";
import { median, round } from "../lib/stats.mjs";
import { prepareCustomTaskBodies } from "./prepare.mjs";

/** Runs the soak; returns rate, errors, RSS samples (MiB, one per second), max and growth. */
export async function soakSection({ plugin, tmpDir, seconds, log }) {
  const server = await startFullServer({ pluginArgs: plugin.args });
  try {
    const bodies = await prepareCustomTaskBodies(server, tmpDir);
    const before = await requestCounters(server.metricsPort);
    const samples = [];
    const startedAt = Date.now();
    const sampler = setInterval(() => {
      samples.push(round(rssMiB(server.child.pid), 1));
      if (samples.length % 30 === 0) log(`  ${samples.length} s: RSS ${samples.at(-1)} MiB`);
    }, 1000);
    let res;
    try {
      res = await h2load({
        address: server.address,
        path: PATHS.get,
        bodyFile: bodies.getFile,
        clients: 8,
        streams: 16,
        durationS: seconds,
        warmupS: 0,
        logFile: join(tmpDir, "h2load-soak.log"),
      });
    } finally {
      clearInterval(sampler);
    }
    const after = await requestCounters(server.metricsPort);
    const windowS = Math.min(60, Math.floor(samples.length / 2));
    const window = samples.slice(-windowS);
    const first = median(window.slice(0, 5));
    const last = median(window.slice(-5));
    const result = {
      seconds: round((Date.now() - startedAt) / 1000, 0),
      rps: round(res.rps, 0),
      p99Ms: round(res.p99, 2),
      calls: after.success + after.failure - before.success - before.failure,
      errors: after.failure - before.failure + res.failed + res.errored,
      maxRssMiB: Math.max(...samples),
      growthWindowS: windowS,
      windowStartRssMiB: first,
      windowEndRssMiB: last,
      growthPercent: round(((last - first) / first) * 100, 1),
      rssSamplesMiB: samples,
    };
    log(
      `  ${result.rps} req/s for ${seconds} s, ${result.errors} errors; RSS max ${result.maxRssMiB} MiB, ` +
        `last ${windowS} s ${first} -> ${last} MiB (${result.growthPercent} %)`,
    );
    return result;
  } finally {
    await server.stop();
  }
}
