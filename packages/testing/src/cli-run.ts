import { spawn } from "node:child_process";
import { dirname, join } from "node:path";

/** What a finished `flyte-agent` command printed, and how it exited. */
export interface CliResult {
  /** The exit code; `null` when a signal ended it. */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options of {@link runFlyteAgentCli}. */
export interface CliRunOptions {
  /** Variables added to this process's environment for the command. */
  env?: NodeJS.ProcessEnv;
  /** The command is killed, and the call rejects with what it printed, after this long. @default 120000 */
  timeoutMs?: number;
  /** At most this many characters of each of stdout and stderr are kept (the rest is dropped). @default 1000000 */
  maxOutputChars?: number;
}

/** The `flyte-agent` executable of the installed `@flyte-agent/core`. */
export function flyteAgentBin(): string {
  return join(dirname(require.resolve("@flyte-agent/core")), "..", "bin", "flyte-agent.js");
}

/**
 * Runs `flyte-agent <args>` (core's CLI) in a child process with the Node that runs the test,
 * and resolves once it exits, with its exit code and output. For testing a plugin the way its
 * README uses it, e.g. `runFlyteAgentCli(["run", "task.yaml", "--include", builtPlugin])`.
 * @throws Error naming the command and its output when it runs longer than `timeoutMs`
 */
export function runFlyteAgentCli(args: readonly string[], options: CliRunOptions = {}): Promise<CliResult> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  const maxChars = options.maxOutputChars ?? 1_000_000;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [flyteAgentBin(), ...args], {
      env: { ...process.env, ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      if (stdout.length < maxChars) stdout += d.slice(0, maxChars - stdout.length);
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      if (stderr.length < maxChars) stderr += d.slice(0, maxChars - stderr.length);
    });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`flyte-agent ${args.join(" ")} ran longer than ${timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, timeoutMs);
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
