// Process helpers: free ports, resident memory and CPU time from /proc, waiting for exit.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Resident set size of a process in MiB (from /proc), or NaN when it is gone. */
export function rssMiB(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU time (user + system, all threads) a process has used so far, in seconds, from /proc. */
export function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // fields after the command name (which may contain spaces): state is field 3, utime 14, stime 15
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return Number.NaN;
  }
}

/**
 * CPU time per thread kind so far, in seconds, from /proc/<pid>/task: {"<thread name> user": s,
 * "<thread name> system": s}, threads of the same name summed (V8's and libuv's workers share
 * names). Empty when unavailable.
 */
export function threadCpuSeconds(pid) {
  const out = {};
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
      const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")).replace(/\d+$/, "");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      out[`${name} user`] = (out[`${name} user`] ?? 0) + Number(fields[11]) / CLOCK_TICKS;
      out[`${name} system`] = (out[`${name} system`] ?? 0) + Number(fields[12]) / CLOCK_TICKS;
    }
  } catch {
    // the process or one of its threads has gone
  }
  return out;
}

/**
 * Time the process's threads have spent runnable but waiting for a CPU, in seconds, summed over
 * /proc/<pid>/task/<tid>/schedstat (NaN when unavailable). A server that waits a lot was starved
 * by other work on its CPU, so its latency says more about the machine than about the server.
 */
export function runQueueSeconds(pid) {
  try {
    let ns = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[1]);
    }
    return ns / 1e9;
  } catch {
    return Number.NaN;
  }
}

/** Resolves with the exit code (or signal) once the child has exited. */
export function exited(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode ?? child.signalCode);
  return new Promise((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal)));
}

/** Sends SIGTERM and waits for exit; SIGKILL after `graceMs`. */
export async function stop(child, graceMs = 5000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await exited(child);
  clearTimeout(timer);
}

const children = new Set();
process.once("exit", () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
});

/** Remembers a child process so that it is killed if the bench itself dies. */
export function track(child) {
  children.add(child);
  child.once("exit", () => children.delete(child));
  return child;
}
