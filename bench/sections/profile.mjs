// A CPU profile of the full server while h2load drives GetTask at saturation: only the samples
// taken during the measured load count (start-up, module loading and the warm-up are left out).
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { monotonicMicros, summarizeProfile } from "../lib/cpuprofile.mjs";
import { PATHS } from "../lib/frames.mjs";
import { h2load } from "../lib/h2load.mjs";
import { startFullServer } from "../lib/servers.mjs";
import { prepareCustomTaskBodies } from "./prepare.mjs";

/** Runs GetTask load against a server started with --cpu-prof and summarises the profile. */
export async function profileSection({ plugin, tmpDir, durationS, env = {}, log }) {
  const profDir = join(tmpDir, `cpuprof-${Date.now()}`);
  const server = await startFullServer({ pluginArgs: plugin.args, env, nodeArgs: ["--cpu-prof", `--cpu-prof-dir=${profDir}`] });
  let load;
  const window = {};
  try {
    const bodies = await prepareCustomTaskBodies(server, tmpDir);
    const run = (seconds) =>
      h2load({
        address: server.address,
        path: PATHS.get,
        bodyFile: bodies.getFile,
        clients: 8,
        streams: 16,
        durationS: seconds,
        warmupS: 1,
        logFile: join(tmpDir, "h2load-prof.log"),
      });
    await run(2); // warm-up: JIT and heap at steady state before the measured run
    window.fromUs = monotonicMicros();
    load = await run(durationS);
    window.toUs = monotonicMicros();
  } finally {
    await server.stop(); // a clean exit writes the profile
  }
  const file = readdirSync(profDir).find((f) => f.endsWith(".cpuprofile"));
  if (!file) throw new Error(`no CPU profile was written to ${profDir}`);
  const summary = summarizeProfile(join(profDir, file), 15, window);
  log(`  ${Math.round(load.rps)} req/s while profiling; busy ${summary.busyMs} ms`);
  for (const a of summary.byArea) log(`    ${String(a.percent).padStart(5)}%  ${a.area}`);
  return { rps: Math.round(load.rps), ...summary };
}
