// h2load (Debian's nghttp2-client) as the external load generator: installs it when missing,
// runs it against a gRPC method with a pre-framed request body, and reads its per-request log
// for latency percentiles.
import { spawn } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { aptInstall, canApt, which } from "./apt.mjs";
import { pinned } from "./cpu-pin.mjs";
import { percentile } from "./stats.mjs";

/** Path of h2load; installs nghttp2-client with apt-get when running as root, else explains how. */
export function ensureH2load(log = console.error) {
  const found = which("h2load");
  if (found) return found;
  if (!canApt()) {
    throw new Error("h2load is missing: install Debian's nghttp2-client (sudo apt-get install -y nghttp2-client)");
  }
  aptInstall(["nghttp2-client"], log);
  const installed = which("h2load");
  if (!installed) throw new Error("apt-get installed nghttp2-client but h2load is still not on PATH");
  return installed;
}

/**
 * Runs h2load against `http://<address><path>` with the gRPC frame in `bodyFile`.
 * Either a closed loop (`clients` x `streams` in flight) or a fixed rate (`rps` per client), for
 * `durationS` seconds after `warmupS` of warm-up, or for exactly `requests` requests (no warm-up).
 * Runs on the load generators' CPU when the bench pins processes.
 * @returns {Promise<{rps:number, done:number, succeeded:number, failed:number, errored:number, p50:number, p99:number, max:number}>}
 *   latencies in ms, measured by h2load from request start to the end of the response (trailers).
 */
export async function h2load({
  address,
  path,
  bodyFile,
  clients = 4,
  streams = 16,
  durationS = 5,
  warmupS = 1,
  rps,
  requests,
  logFile,
}) {
  const args = [
    `http://${address}${path}`,
    "-d",
    bodyFile,
    "-H",
    "content-type: application/grpc",
    "-H",
    "te: trailers",
    "-c",
    String(clients),
    "-m",
    String(streams),
    "-t",
    "1",
    ...(requests ? ["-n", String(requests)] : ["-D", String(durationS), "--warm-up-time", String(warmupS)]),
    "--log-file",
    logFile,
  ];
  if (rps) args.push("--rps", String(rps));
  rmSync(logFile, { force: true });
  const out = await new Promise((resolve, reject) => {
    const [command, argv] = pinned("load", "h2load", args);
    const child = spawn(command, argv, { stdio: ["ignore", "pipe", "pipe"] });
    let text = "";
    child.stdout.on("data", (d) => {
      text += d;
    });
    child.stderr.on("data", (d) => {
      text += d;
    });
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve(text) : reject(new Error(`h2load exited ${code}: ${text.slice(-500)}`))));
  });
  const num = (re) => {
    const m = re.exec(out);
    return m ? Number(m[1]) : Number.NaN;
  };
  const latencies = parseLog(logFile);
  rmSync(logFile, { force: true });
  return {
    rps: num(/finished in [\d.]+m?s, ([\d.]+) req\/s/),
    done: num(/requests: \d+ total, \d+ started, (\d+) done/),
    succeeded: num(/(\d+) succeeded/),
    failed: num(/(\d+) failed/),
    errored: num(/(\d+) errored/),
    samples: latencies.length,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    max: percentile(latencies, 1),
  };
}

/** Latencies (ms) of the requests in an h2load log (start µs, HTTP status, elapsed µs per line). */
function parseLog(file) {
  const out = [];
  let text = "";
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return out;
  }
  for (const line of text.split("\n")) {
    const cols = line.split("\t");
    if (cols.length >= 3 && cols[1] === "200") out.push(Number(cols[2]) / 1000);
  }
  return out;
}
