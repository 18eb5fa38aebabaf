// Starts the servers under test as separate processes, each on the server's CPU: the full agent
// service (the real `flyte-agent serve` CLI) and the bare grpc-js baseline.
import { spawn } from "node:child_process";
import { existsSync, openSync } from "node:fs";
import { join } from "node:path";
import { pinned } from "./cpu-pin.mjs";
import { freePort, stop, track } from "./proc.mjs";
import { waitServing } from "./raw-grpc.mjs";
import { BENCH_DIR, CLI, REPO_ROOT } from "./repo.mjs";
import { imageRuntimeSettings } from "./image-settings.mjs";

/**
 * How to serve category custom_task v0: the template plugin when it is built and serves it,
 * else the bench's stand-in module.
 */
export async function customTaskPlugin() {
  const entry = join(REPO_ROOT, "packages", "template", "dist", "index.js");
  if (existsSync(entry)) {
    try {
      const mod = await import(entry);
      const plugin = mod.default?.default ?? mod.default;
      if (plugin?.agents?.some((a) => a.category?.name === "custom_task" && a.category?.version === 0)) {
        return { label: "@flyte-agent/template", args: ["--include", "@flyte-agent/template"] };
      }
    } catch {
      // not loadable: use the stand-in
    }
  }
  return {
    label: "bench/agents/custom-task.cjs",
    args: ["--include", join(BENCH_DIR, "agents", "custom-task.cjs")],
  };
}

/**
 * Spawns `flyte-agent serve` on free loopback ports and waits for SERVING.
 * @param {{pluginArgs?: string[], env?: object, nodeArgs?: string[], cwd?: string, captureLogs?: boolean}} options
 *   captureLogs keeps the tail of its JSON log (stdout); off under load, where reading it costs CPU.
 */
/**
 * V8 flags given to every full server: BENCH_FULL_NODE_ARGS (for example
 * "--max-semi-space-size=64" to try a flag on the full server only).
 */
export const FULL_SERVER_NODE_ARGS = (process.env.BENCH_FULL_NODE_ARGS ?? "").split(" ").filter(Boolean);

/**
 * Where a full server's stdout goes when its logs are not captured: BENCH_FULL_STDOUT names a
 * file to append to (to read its `--trace-gc` lines, for example), else nowhere.
 */
const FULL_SERVER_STDOUT = process.env.BENCH_FULL_STDOUT ? openSync(process.env.BENCH_FULL_STDOUT, "a") : "ignore";

/**
 * Environment given to every full server: the image's runtime settings (see
 * image-settings.mjs), then BENCH_FULL_ENV ("NAME=value NAME2=value2") on top.
 */
export const FULL_SERVER_ENV = {
  ...imageRuntimeSettings(),
  ...Object.fromEntries(
    (process.env.BENCH_FULL_ENV ?? "")
      .split(" ")
      .filter((pair) => pair.includes("="))
      .map((pair) => [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)]),
  ),
};

export async function startFullServer({
  pluginArgs = [],
  env = {},
  nodeArgs = [],
  cwd = REPO_ROOT,
  waitMs = 20_000,
  captureLogs = false,
} = {}) {
  const port = await freePort();
  const metricsPort = await freePort();
  const started = performance.now();
  const [command, argv] = pinned("server", process.execPath, [
    ...FULL_SERVER_NODE_ARGS,
    ...nodeArgs,
    CLI,
    "serve",
    "--host",
    "127.0.0.1",
    "--port",
    String(port),
    "--prometheus-port",
    String(metricsPort),
    ...pluginArgs,
  ]);
  const child = track(
    spawn(command, argv, {
      cwd,
      env: { ...process.env, ...FULL_SERVER_ENV, ...env },
      stdio: ["ignore", captureLogs ? "pipe" : FULL_SERVER_STDOUT, "pipe"],
    }),
  );
  let stderr = "";
  let stdout = "";
  child.stderr.on("data", (d) => {
    stderr = (stderr + d).slice(-8000);
  });
  child.stdout?.on("data", (d) => {
    stdout = (stdout + d).slice(-16000);
  });
  const address = `127.0.0.1:${port}`;
  let servingAt;
  try {
    servingAt = await waitServing(address, { child, timeoutMs: waitMs });
  } catch (err) {
    child.kill("SIGKILL");
    throw new Error(`${err.message}\n${stderr}`);
  }
  return {
    kind: "full",
    address,
    child,
    metricsPort,
    startupMs: servingAt - started,
    stderr: () => stderr,
    stdout: () => stdout,
    stop: () => stop(child),
  };
}

/**
 * Spawns the bare grpc-js baseline (`nodeArgs` before its script) and waits until it listens.
 * It runs with Node's defaults, not the image's NODE_OPTIONS (the baseline is a plain grpc-js
 * server, not our image); BENCH_BARE_IMAGE_SETTINGS=1 gives it the image's settings too. At
 * 2,000 GetTask/s the bare server's CPU per call was the same either way (75.8 µs with Node's
 * defaults, 76.7 µs with the image's, 5 alternating runs): it allocates too little for the
 * young generation's size to matter, so the choice does not move the ratios.
 */
export function startBareServer({ nodeArgs = [], env = {} } = {}) {
  return startBaseline({ kind: "bare", script: "bare-server.mjs", args: [], nodeArgs, env });
}

/**
 * Spawns the realistic load's baseline (bench/servers/bare-http-server.mjs: bare grpc-js making
 * the same Jobs API calls with Node's `http`), with Node's defaults like the bare server.
 */
export function startBareHttpServer({ jobsApiUrl, token, nodeArgs = [], env = {} }) {
  return startBaseline({ kind: "bare-http", script: "bare-http-server.mjs", args: [jobsApiUrl, token], nodeArgs, env });
}

/** Spawns bench/servers/<script> on a free port (then `args`) on the server's CPU; waits until it listens. */
async function startBaseline({ kind, script, args, nodeArgs, env }) {
  if (process.env.BENCH_BARE_IMAGE_SETTINGS === "1") env = { ...imageRuntimeSettings(), ...env };
  const port = await freePort();
  const [command, argv] = pinned("server", process.execPath, [
    ...nodeArgs,
    join(BENCH_DIR, "servers", script),
    String(port),
    ...args,
  ]);
  const child = track(spawn(command, argv, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] }));
  await listening(child, `${kind} server`);
  return { kind, address: `127.0.0.1:${port}`, child, stop: () => stop(child) };
}

/** Resolves with the port once a baseline prints "listening <port>" on stdout. */
export function listening(child, what) {
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      const m = /listening (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once("exit", (code, signal) => reject(new Error(`${what} exited ${code ?? signal} before listening`)));
  });
}

/**
 * Sums the connector request counters (`flyte_connector_requests_{success,failure}_total`) from
 * a full server's /metrics: {success, failure}; with `protocol`, only that protocol's series.
 */
export async function requestCounters(metricsPort, protocol) {
  const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  const label = protocol ? `protocol="${protocol}"` : "";
  const sum = (name) =>
    text
      .split("\n")
      .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
      .filter((l) => l.includes(label))
      .reduce((acc, l) => acc + Number(l.slice(l.lastIndexOf(" ") + 1)), 0);
  return { success: sum("flyte_connector_requests_success_total"), failure: sum("flyte_connector_requests_failure_total") };
}
