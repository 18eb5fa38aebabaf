// The flytekit-shaped Python baseline (bench/servers/python-servicer.py): Debian's python3-grpcio
// and python3-protobuf, installed with apt-get when missing, and the FileDescriptorSet of the agent
// protocol (from @flyte-agent/flyteidl) that the servicer builds its message classes from.
import { execFileSync, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { aptInstall, canApt } from "./apt.mjs";
import { pinned } from "./cpu-pin.mjs";
import { freePort, stop, track } from "./proc.mjs";
import { listening } from "./servers.mjs";
import { BENCH_DIR, CORE_DIR } from "./repo.mjs";

/** Debian's interpreter: the one apt-get's python3-grpcio is installed for. */
export const PYTHON = "/usr/bin/python3";
const PACKAGES = ["python3-grpcio", "python3-protobuf"];

function versions() {
  try {
    return execFileSync(PYTHON, ["-c", "import grpc, google.protobuf as p; print(grpc.__version__, p.__version__)"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    })
      .trim()
      .split(" ");
  } catch {
    return undefined;
  }
}

/**
 * Makes sure /usr/bin/python3 can import grpc and protobuf, installing Debian's packages as root.
 * @returns {{ok: true, label: string} | {ok: false, reason: string}}
 */
export function ensurePythonGrpc(log = console.error) {
  let found = versions();
  if (!found && canApt()) {
    try {
      aptInstall(PACKAGES, log);
    } catch (err) {
      return { ok: false, reason: `apt-get install ${PACKAGES.join(" ")} failed: ${err.message.split("\n")[0]}` };
    }
    found = versions();
  }
  if (!found) return { ok: false, reason: `${PYTHON} cannot import grpc: install ${PACKAGES.join(" ")} (Debian)` };
  return { ok: true, label: `python3-grpcio ${found[0]}, protobuf ${found[1]}` };
}

/** Writes the agent protocol's FileDescriptorSet (with its imports) to `dir`; returns the path. */
export function writeDescriptorSet(dir) {
  const flyteidl = createRequire(join(CORE_DIR, "package.json"))("@flyte-agent/flyteidl");
  const file = join(dir, "flyteidl-agent.binpb");
  writeFileSync(file, flyteidl.loadFileDescriptorSet());
  return file;
}

/** Spawns the Python servicer on the server's CPU and waits until it listens. */
export async function startPythonServer({ tmpDir }) {
  const port = await freePort();
  const descriptors = writeDescriptorSet(tmpDir);
  const [command, argv] = pinned("server", PYTHON, [join(BENCH_DIR, "servers", "python-servicer.py"), descriptors, String(port)]);
  const child = track(spawn(command, argv, { stdio: ["ignore", "pipe", "inherit"] }));
  await listening(child, "Python servicer");
  return { kind: "python", address: `127.0.0.1:${port}`, child, stop: () => stop(child) };
}
