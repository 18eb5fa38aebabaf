#!/usr/bin/env node
// `pnpm bench`: throughput, latency, start-up and scale of the agent service on loopback.
//   pnpm bench                 full run (about 5 minutes)
//   pnpm bench --quick         short run (under a minute): fewer, shorter runs, 1,000-task scale
//   pnpm bench --only=startup,throughput,fixed-rate,scale
//   pnpm bench --profile       also records a CPU profile of the full server under GetTask load
//                              (the full run does by default; --no-profile skips it)
// Prints a table and writes bench/results/<date>.json. Needs `pnpm build` first.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureH2load } from "./lib/h2load.mjs";
import { machine, printTable, summaryRows } from "./lib/report.mjs";
import { BENCH_DIR, loadCore } from "./lib/repo.mjs";
import { customTaskPlugin } from "./lib/servers.mjs";
import { fixedRateSection } from "./sections/fixed-rate.mjs";
import { profileSection } from "./sections/profile.mjs";
import { scaleSection } from "./sections/scale.mjs";
import { startupSection } from "./sections/startup.mjs";
import { throughputSection } from "./sections/throughput.mjs";

const args = process.argv.slice(2);
const flag = (name) => args.includes(`--${name}`);
const option = (name) => args.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
if (flag("help")) {
  process.stdout.write("usage: pnpm bench [--quick] [--profile] [--only=startup,throughput,fixed-rate,scale]\n");
  process.exit(0);
}
const quick = flag("quick");
const only = option("only")?.split(",");
const want = (section) => !only || only.includes(section);
const log = (msg) => process.stderr.write(`${msg}\n`);

const settings = quick
  ? { runs: 1, durationS: 2, rateDurationS: 3, startupRuns: 2, scaleTasks: 1000, scaleSeconds: 10 }
  : { runs: 3, durationS: 5, rateDurationS: 10, startupRuns: 5, scaleTasks: 10_000, scaleSeconds: 60 };

async function main() {
  loadCore(); // fails early with a hint when the workspace is not built
  ensureH2load(log);
  const tmpDir = mkdtempSync(join(tmpdir(), "flyte-agent-bench-"));
  const started = new Date();
  const results = { date: started.toISOString(), command: `pnpm bench ${args.join(" ")}`.trim(), machine: machine(), settings };
  const plugin = await customTaskPlugin();
  results.customTaskAgent = plugin.label;
  log(
    `machine: ${results.machine.nproc} x ${results.machine.cpuModel}, node ${results.machine.node}; custom_task agent: ${plugin.label}`,
  );
  try {
    if (want("startup")) {
      log("start-up (every bundled plugin):");
      results.startup = await startupSection({ runs: settings.startupRuns, log });
    }
    if (want("throughput")) {
      log("throughput (h2load, full server vs bare grpc-js):");
      results.throughput = await throughputSection({ plugin, tmpDir, runs: settings.runs, durationS: settings.durationS, log });
    }
    if (want("fixed-rate")) {
      log("fixed rate (h2load --rps):");
      results.fixedRate = await fixedRateSection({ plugin, tmpDir, runs: quick ? 1 : 2, durationS: settings.rateDurationS, log });
    }
    if (want("scale")) {
      log(`scale (${settings.scaleTasks} tasks in flight, fake Databricks with 20 ms latency):`);
      results.scale = await scaleSection({ tasks: settings.scaleTasks, seconds: settings.scaleSeconds, tmpDir, log });
    }
    if (flag("profile") || (!quick && !flag("no-profile") && !only)) {
      log("CPU profile of the full server under GetTask load:");
      results.profile = await profileSection({ plugin, tmpDir, durationS: quick ? 3 : 8, log });
    }
  } finally {
    rmSync(tmpDir, { recursive: true, force: true });
  }
  results.elapsedS = Math.round((Date.now() - started.getTime()) / 1000);
  const outDir = join(BENCH_DIR, "results");
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `${results.date.replace(/[:.]/g, "-")}.json`);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(
    `\n${results.machine.nproc} x ${results.machine.cpuModel}, node ${results.machine.node}, ${results.date}\n`,
  );
  printTable(summaryRows(results));
  if (results.profile) {
    process.stdout.write("\nCPU profile of the full server (self time by area):\n");
    printTable(results.profile.byArea.map((a) => [a.area, `${a.percent}%`, "", ""]));
  }
  process.stdout.write(`\nresults: ${file} (${results.elapsedS} s)\n`);
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${err.stack ?? err}\n`);
  process.exitCode = 1;
});
