import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { track } from "./auto-close";
import { PropellerClient } from "./propeller-client";

/** Options of {@link startServerProcess}. */
export interface ServerProcessOptions {
  /** Compiled plugin modules to serve (paths to `.js` files whose default export is a plugin). */
  modules: string[];
  /** Extra environment variables of the child process. @default none */
  env?: Record<string, string>;
  /** How long to wait for the child to listen. @default 15000 */
  startTimeoutMs?: number;
}

/** An agent server running in a separate Node.js process, from {@link startServerProcess}. */
export interface ServerProcess {
  /** `127.0.0.1:<port>`. */
  readonly address: string;
  readonly port: number;
  /** The child's process id. */
  readonly pid: number;
  /** A propeller-like client connected to it. */
  readonly client: PropellerClient;
  /** Stops the child (SIGTERM) and waits for it to exit. Safe to call twice. */
  close(): Promise<void>;
}

const CHILD_ENTRY = join(resolve(__dirname, ".."), "dist", "serve-modules-main.js");

/**
 * Serves compiled plugin modules from a separate Node.js process: proves that resource_meta
 * alone lets another replica answer GetTask/DeleteTask (nothing is shared in memory). Inside a
 * jest test file the process is stopped automatically after the last test.
 */
export function startServerProcess(options: ServerProcessOptions): Promise<ServerProcess> {
  if (!existsSync(CHILD_ENTRY)) {
    return Promise.reject(new Error(`${CHILD_ENTRY} is missing: build @flyte-agent/testing first (pnpm build)`));
  }
  for (const m of options.modules) {
    if (!existsSync(m)) return Promise.reject(new Error(`plugin module ${m} is missing: build the plugin first (pnpm build)`));
  }
  const child = spawn(process.execPath, [CHILD_ENTRY, ...options.modules.map((m) => resolve(m))], {
    env: { ...process.env, ...options.env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  return new Promise<ServerProcess>((resolvePromise, reject) => {
    let stdout = "";
    let stderr = "";
    const timer = setTimeout(() => fail(new Error("the server process did not start in time")), options.startTimeoutMs ?? 15_000);
    function fail(err: Error) {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(new Error(`${err.message}${stderr ? `: ${stderr.trim()}` : ""}`));
    }
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    const onEarlyExit = (code: number | null) => fail(new Error(`the server process exited with code ${code}`));
    child.once("exit", onEarlyExit);
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8");
      const line = stdout.split("\n").find((l) => l.startsWith('{"port":'));
      if (!line) return;
      clearTimeout(timer);
      child.off("exit", onEarlyExit);
      const port = (JSON.parse(line) as { port: number }).port;
      const address = `127.0.0.1:${port}`;
      const client = new PropellerClient(address);
      let closing: Promise<void> | undefined;
      const proc: ServerProcess = {
        address,
        port,
        pid: child.pid ?? 0,
        client,
        close() {
          closing ??= (async () => {
            untrack();
            client.close();
            if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
            await exited;
          })();
          return closing;
        },
      };
      const untrack = track(proc);
      resolvePromise(proc);
    });
  });
}
