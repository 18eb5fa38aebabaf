// Forked helper processes of the bench (load clients, fakes) and the bodies files they read.
import { fork } from "node:child_process";
import { once } from "node:events";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { pinPid } from "./cpu-pin.mjs";
import { track } from "./proc.mjs";
import { BENCH_DIR } from "./repo.mjs";

/** Writes requests as a bodies file (4-byte length + bytes each) for load/grpc-load.mjs. */
export function writeBodies(file, bodies) {
  const parts = [];
  for (const b of bodies) {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    parts.push(len, b);
  }
  writeFileSync(file, Buffer.concat(parts));
  return file;
}

/** Runs one job in a separate load-client process (on the load CPU) and resolves with its result. */
export async function runLoadClient(job) {
  const child = track(fork(join(BENCH_DIR, "load", "grpc-load.mjs"), [], { stdio: ["ignore", "inherit", "inherit", "ipc"] }));
  pinPid(child.pid, "load");
  child.send(job);
  const [result] = await Promise.race([
    once(child, "message"),
    once(child, "exit").then(([code]) => {
      throw new Error(`load client exited ${code} without a result`);
    }),
  ]);
  return result;
}

/** Starts the fake Databricks workspace process; resolves {url, token, stats(), close()}. */
export async function startFakeDatabricksProcess(latencyMs = 20) {
  const child = track(
    fork(join(BENCH_DIR, "fakes", "databricks-fake.mjs"), [], {
      stdio: ["ignore", "inherit", "inherit", "ipc"],
      env: { ...process.env, FAKE_LATENCY_MS: String(latencyMs) },
    }),
  );
  pinPid(child.pid, "load");
  const [ready] = await once(child, "message");
  return {
    url: ready.url,
    token: ready.token,
    pid: child.pid,
    async stats() {
      child.send("stats");
      const [msg] = await once(child, "message");
      return msg;
    },
    async close() {
      child.send("close");
      await once(child, "exit");
    },
  };
}
