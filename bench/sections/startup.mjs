// Start-up: time from spawning `flyte-agent serve` at the repo root (every bundled plugin it
// discovers) to the first SERVING health answer, and RSS once idle.
import { setTimeout as delay } from "node:timers/promises";
import { spawn } from "node:child_process";
import { rssMiB, stop, track } from "../lib/proc.mjs";
import { startFullServer } from "../lib/servers.mjs";
import { median, round } from "../lib/stats.mjs";

/** Starts the server `runs` times; medians of start-up time and idle RSS, plus the agents it served. */
export async function startupSection({ runs, idleMs = 2000, log }) {
  const times = [];
  const rss = [];
  let table = "";
  let logs = "";
  for (let r = 0; r < runs; r++) {
    const server = await startFullServer({ captureLogs: true });
    try {
      times.push(server.startupMs);
      await delay(idleMs); // idle on purpose: RSS of a server with nothing to do
      rss.push(rssMiB(server.child.pid));
      table = server.stderr();
      logs = server.stdout();
      log(`  start ${r + 1}/${runs}: SERVING after ${round(server.startupMs, 0)} ms, idle RSS ${round(rss.at(-1), 1)} MiB`);
    } finally {
      await server.stop();
    }
  }
  // For scale: the RSS of an idle `node` that loads nothing (its binary's mapped pages count too).
  const bareNode = track(spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" }));
  await delay(idleMs);
  const bareNodeRssMiB = round(rssMiB(bareNode.pid), 1);
  await stop(bareNode);
  const agents = table
    .split("\n")
    .filter((l) => /@\d+\s/.test(l))
    .map((l) => l.trim().split(/\s{2,}/)[1]);
  const problems = logs
    .split("\n")
    .filter((l) => l.includes("failed to load"))
    .map((l) => {
      try {
        return JSON.parse(l).msg;
      } catch {
        return l;
      }
    });
  return {
    startupMs: round(median(times), 0),
    idleRssMiB: round(median(rss), 1),
    bareNodeRssMiB,
    agents,
    pluginProblems: problems,
    runs,
    samples: { times, rss },
  };
}
