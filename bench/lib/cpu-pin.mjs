// Pins the bench's processes to CPUs with taskset (util-linux): the server under test on one core,
// load generators, fakes and the bench itself on the other, so that the server's figures are not
// taken from a core it shares with its own load.
import { execFileSync } from "node:child_process";
import { cpus } from "node:os";

function hasTaskset() {
  try {
    execFileSync("taskset", ["-V"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

const enabled = cpus().length >= 2 && process.env.BENCH_NO_PIN !== "1" && hasTaskset();

/** The CPU list of each role ("0" for the server, "1" for load), or undefined when not pinning. */
export const CPU = enabled ? { server: "0", load: "1" } : undefined;

/** How pinning is done in this run, for the results file and the table's header. */
export function pinningNote() {
  if (!enabled) return "not pinned (needs 2 CPUs and taskset; BENCH_NO_PIN=1 turns it off)";
  return "server on CPU 0, load generators and the bench on CPU 1 (taskset)";
}

/** [command, args] that start `command` on the CPUs of `role` (unchanged when not pinning). */
export function pinned(role, command, args) {
  if (!CPU) return [command, args];
  return ["taskset", ["-c", CPU[role], command, ...args]];
}

/** Moves a running process, all its threads included, onto the CPUs of `role`. */
export function pinPid(pid, role) {
  if (!CPU || !pid) return;
  try {
    execFileSync("taskset", ["-a", "-c", "-p", CPU[role], String(pid)], { stdio: "ignore" });
  } catch {
    // the process may already be gone; nothing to pin
  }
}
