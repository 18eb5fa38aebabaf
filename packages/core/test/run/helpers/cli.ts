import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

/** The CLI entry point and the test plugin module. */
export const BIN = resolve(__dirname, "../../../bin/flyte-agent.js");
export const TEST_PLUGIN = resolve(__dirname, "../fixtures/runner-test-plugin.js");

/** A running `flyte-agent` child process with its output collected as it arrives. */
export interface CliProcess {
  readonly child: ChildProcess;
  stdout: string;
  stderr: string;
  /** Resolves with the exit code (or 128 + signal number when killed). */
  readonly exited: Promise<number>;
  /** Resolves once stdout+stderr match the pattern; rejects if the process exits first. */
  waitFor(pattern: RegExp): Promise<RegExpMatchArray>;
}

/** Starts `node bin/flyte-agent.js <args>` with extra environment variables. */
export function startCli(args: string[], env: NodeJS.ProcessEnv = {}): CliProcess {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const waiters: Array<{ pattern: RegExp; resolve: (m: RegExpMatchArray) => void; reject: (e: Error) => void }> = [];
  const proc: CliProcess = {
    child,
    stdout: "",
    stderr: "",
    exited: new Promise((resolveExit) => {
      child.on("close", (code, signal) => {
        resolveExit(code ?? 128 + (signal === "SIGINT" ? 2 : signal === "SIGKILL" ? 9 : 15));
        for (const w of waiters.splice(0)) {
          w.reject(new Error(`process exited before ${w.pattern}\nstdout:\n${proc.stdout}\nstderr:\n${proc.stderr}`));
        }
      });
    }),
    waitFor(pattern) {
      const m = (proc.stdout + proc.stderr).match(pattern);
      if (m) return Promise.resolve(m);
      if (child.exitCode !== null) return Promise.reject(new Error(`process already exited; ${pattern} never appeared`));
      return new Promise((resolveWait, reject) => waiters.push({ pattern, resolve: resolveWait, reject }));
    },
  };
  const check = () => {
    for (const w of [...waiters]) {
      const m = (proc.stdout + proc.stderr).match(w.pattern);
      if (m) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  };
  child.stdout?.setEncoding("utf8").on("data", (d: string) => {
    proc.stdout += d;
    check();
  });
  child.stderr?.setEncoding("utf8").on("data", (d: string) => {
    proc.stderr += d;
    check();
  });
  return proc;
}

/** Runs the CLI to completion. */
export async function runCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const p = startCli(args, env);
  const code = await p.exited;
  return { code, stdout: p.stdout, stderr: p.stderr };
}

/** A fresh temporary directory for one test. */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "flyte-agent-run-test-"));
}

/** Writes a JSON file into `dir` and returns its path. */
export function writeJson(dir: string, name: string, value: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(value, null, 2));
  return path;
}

/** Plugin flags that load only the test plugin (no installed packages). */
export const ONLY_TEST_PLUGIN = ["--include", TEST_PLUGIN];
