#!/usr/bin/env node
// `pnpm bench`: throughput, latency, CPU and memory of the agent service on loopback, against a
// bare grpc-js server and a flytekit-shaped Python grpc.aio servicer measured in the same run.
//   pnpm bench                 full run (about 10 minutes): every section, medians of 3
//   pnpm bench --quick         short run (about a minute): single short runs, 1,000-task scale, no soak
//   pnpm bench --only=startup,realistic,throughput,protocols,fixed-rate,cost,soak,scale,redaction,profile
//   pnpm bench --profile       also records a CPU profile of the full server under GetTask load
//                              (the full run does by default; --no-profile skips it)
//   --no-python                skips the Python baseline; --soak-seconds=N (default 120, 30 with
//                              --quick); --scale-runs=N (default 2, 1 with --quick);
//                              --realistic-seconds=N (default 60, 15 with --quick), --realistic-runs=N
//                              (default 3, 1 with --quick); --rate=N: the fixed-rate section's GetTask/s
//                              (default 2000; 100 is ten propellers at their read limit)
// Run it with Node 24 (the image's Node): the servers run on the Node that runs the bench.
// The servers run on CPU 0, h2load, load clients, fakes and the bench itself on CPU 1 (taskset;
// BENCH_NO_PIN=1 turns it off). Prints the tables and writes bench/results/<date>.json.
// Needs `pnpm build` first; installs h2load and python3-grpcio with apt-get when root.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pinningNote, pinPid } from "./lib/cpu-pin.mjs";
import { ensureH2load } from "./lib/h2load.mjs";
import { ensurePythonGrpc } from "./lib/python-baseline.mjs";
import { COST_HEAD, costRows, machine, printTable, summaryRows } from "./lib/report.mjs";
import { BENCH_DIR, loadCore } from "./lib/repo.mjs";
import { describeSettings } from "./lib/image-settings.mjs";
import { customTaskPlugin, FULL_SERVER_ENV } from "./lib/servers.mjs";
import { costSection } from "./sections/cost.mjs";
import { fixedRateSection } from "./sections/fixed-rate.mjs";
import { profileSection } from "./sections/profile.mjs";
import { PROTOCOL_HEAD, protocolRows, protocolsSection } from "./sections/protocols.mjs";
import { realisticSection } from "./sections/realistic.mjs";
import { redactionSection } from "./sections/redaction.mjs";
import { scaleSection } from "./sections/scale.mjs";
import { soakSection } from "./sections/soak.mjs";
import { startupSection } from "./sections/startup.mjs";
import { throughputSection } from "./sections/throughput.mjs";

const SECTIONS = [
  "startup",
  "realistic",
  "throughput",
  "protocols",
  "fixed-rate",
  "cost",
  "soak",
  "scale",
  "redaction",
  "profile",
];
const args = process.argv.slice(2);
const flag = (name) => args.includes(`--${name}`);
const option = (name) => args.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
if (flag("help")) {
  process.stdout.write(
    `usage: pnpm bench [--quick] [--only=${SECTIONS.join(",")}] [--profile|--no-profile] [--no-python]\n` +
      "                  [--soak-seconds=N] [--scale-runs=N] [--realistic-seconds=N] [--realistic-runs=N] [--rate=N]\n",
  );
  process.exit(0);
}
const quick = flag("quick");
const only = option("only")?.split(",");
const unknown = only?.filter((s) => !SECTIONS.includes(s)) ?? [];
if (unknown.length > 0) {
  process.stderr.write(`unknown section(s) in --only: ${unknown.join(", ")} (known: ${SECTIONS.join(", ")})\n`);
  process.exit(2);
}
const want = (section) => (only ? only.includes(section) : section !== "soak" || !quick);
const log = (msg) => process.stderr.write(`${msg}\n`);
const positive = (name, fallback) => {
  const value = option(name);
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    process.stderr.write(`--${name} must be a whole number >= 1, got ${JSON.stringify(value)}\n`);
    process.exit(2);
  }
  return n;
};

const settings = quick
  ? {
      runs: 1,
      durationS: 2,
      rateRuns: 1,
      rateDurationS: 3,
      startupRuns: 2,
      costRequests: 3000,
      scaleTasks: 1000,
      scaleSeconds: 10,
    }
  : {
      runs: 3,
      durationS: 5,
      rateRuns: 3,
      rateDurationS: 10,
      startupRuns: 5,
      costRequests: 20_000,
      scaleTasks: 10_000,
      scaleSeconds: 60,
    };
settings.soakSeconds = positive("soak-seconds", quick ? 30 : 120);
settings.scaleRuns = positive("scale-runs", quick ? 1 : 2);
settings.realisticSeconds = positive("realistic-seconds", quick ? 15 : 60);
settings.realisticRuns = positive("realistic-runs", quick ? 1 : 3);
settings.fixedRate = positive("rate", 2000);

async function main() {
  loadCore(); // fails early with a hint when the workspace is not built
  ensureH2load(log);
  const needsServers = want("throughput") || want("fixed-rate");
  const python = flag("no-python") || !needsServers ? { ok: false, reason: "not requested" } : ensurePythonGrpc(log);
  if (!python.ok && needsServers && !flag("no-python")) log(`Python baseline skipped: ${python.reason}`);
  pinPid(process.pid, "load");
  const tmpDir = mkdtempSync(join(tmpdir(), "flyte-agent-bench-"));
  const started = new Date();
  const results = {
    date: started.toISOString(),
    command: `pnpm bench ${args.join(" ")}`.trim(),
    machine: machine(),
    pinning: pinningNote(),
    python,
    settings,
  };
  const plugin = await customTaskPlugin();
  results.customTaskAgent = plugin.label;
  log(
    `machine: ${results.machine.nproc} x ${results.machine.cpuModel}, node ${results.machine.node}, load ${results.machine.loadAvg.join(" ")}; ` +
      `${results.pinning}; custom_task agent: ${plugin.label}${python.ok ? `; Python baseline: ${python.label}` : ""}`,
  );
  const common = { plugin, tmpDir, python: python.ok, log };
  try {
    if (want("startup")) {
      log("start-up (every bundled plugin):");
      results.startup = await startupSection({ runs: settings.startupRuns, log });
    }
    if (want("realistic")) {
      log(
        `realistic load (Databricks, 10,000 runs in flight, 100 GetTask/s + 2 CreateTask/s + ListAgents every 10 s, fake API answering in 200 ms, ${settings.realisticSeconds} s, ${settings.realisticRuns} run(s), each followed by the same load on bare grpc-js + node:http):`,
      );
      results.realistic = await realisticSection({
        runs: settings.realisticRuns,
        seconds: settings.realisticSeconds,
        tmpDir,
        log,
      });
    }
    if (want("throughput")) {
      log("throughput (h2load at saturation, full server vs bare grpc-js vs Python):");
      results.throughput = await throughputSection({ ...common, runs: settings.runs, durationS: settings.durationS });
    }
    if (want("protocols")) {
      log("protocols (h2load at saturation, GetTask and CreateTask over flyteidl 1 and flyteidl2 on the full server):");
      results.protocols = await protocolsSection({ ...common, runs: settings.runs, durationS: settings.durationS });
    }
    if (want("fixed-rate")) {
      log(`fixed rate (h2load --rps, ${settings.fixedRate} GetTask/s):`);
      results.fixedRate = await fixedRateSection({
        ...common,
        rate: settings.fixedRate,
        runs: settings.rateRuns,
        // At least 1,000 calls per run, however low the rate.
        durationS: Math.max(settings.rateDurationS, Math.ceil(1000 / settings.fixedRate)),
      });
    }
    if (want("cost")) {
      log(`cost per call of each operation (${settings.costRequests} calls each, closed loop):`);
      results.cost = await costSection({ ...common, requests: settings.costRequests });
    }
    if (want("soak")) {
      log(`soak (GetTask at the maximum rate for ${settings.soakSeconds} s):`);
      results.soak = await soakSection({ ...common, seconds: settings.soakSeconds });
    }
    if (want("scale")) {
      log(`scale (${settings.scaleTasks} tasks in flight, fake Databricks with 20 ms latency, ${settings.scaleRuns} run(s)):`);
      results.scale = await scaleSection({
        runs: settings.scaleRuns,
        tasks: settings.scaleTasks,
        seconds: settings.scaleSeconds,
        tmpDir,
        log,
      });
    }
    if (want("redaction")) {
      log("redaction cost per log line:");
      results.redaction = redactionSection({ log });
    }
    if (flag("profile") || only?.includes("profile") || (!quick && !flag("no-profile") && !only)) {
      log("CPU profile of the full server under GetTask load:");
      results.profile = await profileSection({ plugin, tmpDir, durationS: quick ? 3 : 8, log });
    }
  } finally {
    rmSync(tmpDir, { recursive: true, force: true });
  }
  results.fullServerEnv = FULL_SERVER_ENV;
  results.elapsedS = Math.round((Date.now() - started.getTime()) / 1000);
  const outDir = join(BENCH_DIR, "results");
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `${results.date.replace(/[:.]/g, "-")}.json`);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  const m = results.machine;
  process.stdout.write(
    `\n${m.nproc} x ${m.cpuModel}, node ${m.node}, load average ${m.loadAvg.join(" ")} at the start, ${results.date}\n` +
      `${results.pinning}; full = flyte-agent serve (${plugin.label}; Node runs with ${describeSettings(FULL_SERVER_ENV)}), bare = bench/servers/bare-server.mjs (the realistic load: bench/servers/bare-http-server.mjs), ` +
      `python = bench/servers/python-servicer.py (${python.ok ? python.label : `not run: ${python.reason}`})\n\n`,
  );
  printTable(summaryRows(results));
  if (results.protocols) {
    if (results.protocols.served) {
      process.stdout.write(
        "\nGetTask and CreateTask per wire protocol (v1: flyteidl agents, v2: flyteidl2 connectors; same server):\n",
      );
      printTable(protocolRows(results.protocols), PROTOCOL_HEAD);
    } else {
      process.stdout.write(`\nprotocols: v2 not served (${results.protocols.reason}); no v2 row\n`);
    }
  }
  if (results.soak) {
    const every = results.soak.rssSamplesMiB.filter((_, i) => (i + 1) % 10 === 0);
    process.stdout.write(`\nsoak: RSS of the full server every 10 s (MiB): ${every.join(" ")}\n`);
  }
  if (results.redaction) {
    process.stdout.write("\nRedaction of one log line (core's redactSecrets, as the logger runs it):\n");
    printTable(
      results.redaction.rows.map((r) => [r.case, String(r.values), String(r.nsPerLine)]),
      ["case", "values redacted", "ns per line"],
    );
  }
  if (results.cost) {
    process.stdout.write(`\nCost per call (${settings.costRequests} calls each; heap bytes are V8 heap allocations):\n`);
    printTable(costRows(results.cost), COST_HEAD);
  }
  if (results.profile) {
    process.stdout.write("\nCPU profile of the full server (self time by area):\n");
    printTable(
      results.profile.byArea.map((a) => [a.area, `${a.percent}%`]),
      ["area", "share"],
    );
  }
  process.stdout.write(`\nresults: ${file} (${results.elapsedS} s)\n`);
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${err.stack ?? err}\n`);
  process.exitCode = 1;
});
