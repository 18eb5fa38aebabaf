// Installs the Debian packages the bench runs (h2load, the Python baseline's gRPC) with apt-get,
// when the bench runs as root on a Debian-like system.
import { execFileSync } from "node:child_process";

/** Path of a command on PATH, or undefined. */
export function which(cmd) {
  try {
    return execFileSync("sh", ["-c", `command -v ${cmd}`], { encoding: "utf8" }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Whether apt-get can be used here (root and apt-get present). */
export function canApt() {
  return process.getuid?.() === 0 && which("apt-get") !== undefined;
}

/** `apt-get install -y` of `packages`; runs `apt-get update` once first when the install fails. */
export function aptInstall(packages, log = console.error) {
  log(`installing ${packages.join(", ")} with apt-get ...`);
  const opts = { stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } };
  try {
    execFileSync("apt-get", ["install", "-y", "-q", ...packages], opts);
  } catch {
    execFileSync("apt-get", ["update", "-q"], opts);
    execFileSync("apt-get", ["install", "-y", "-q", ...packages], opts);
  }
}
