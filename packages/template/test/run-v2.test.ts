/**
 * The v2 client against the real v2 server: `runTask({ protocol: "v2" })` and
 * `flyte-agent run --protocol v2 --endpoint` drive the template plugin served by
 * `flyte-agent serve` (both protocols, its default) in another process; no bridge in between.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RpcCallError, runTask, TaskRunError } from "@flyte-agent/core";
import { GrpcStatus, PropellerClient, taskTemplate } from "@flyte-agent/testing";

// The installed core's CLI, found by path so the file also works as an ES module (`flyte-agent new --esm`).
const BIN = join(__dirname, "..", "node_modules", "@flyte-agent", "core", "bin", "flyte-agent.js");
const BUILT_PLUGIN = join(__dirname, "..", "dist", "index.js");
/** The built plugin alone, on a free port, without metrics (so copies of this test can run at once). */
const SERVE_ARGS = ["--port", "0", "--host", "127.0.0.1", "--prometheus-port", "-1", "--include", BUILT_PLUGIN];
const FAST = { pollIntervalMs: 20, maxPollIntervalMs: 50 };

let serve: ChildProcess;
let endpoint: string;

beforeAll(async () => {
  serve = spawn(process.execPath, [BIN, "serve", ...SERVE_ARGS], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  const port = await new Promise<number>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /"port":(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    };
    serve.stdout?.on("data", onData);
    serve.stderr?.on("data", onData);
    serve.once("exit", (code) => reject(new Error(`flyte-agent serve exited with ${code} before listening:\n${out}`)));
  });
  endpoint = `127.0.0.1:${port}`;
}, 30_000);
afterAll(async () => {
  if (serve.exitCode !== null) return;
  const exited = once(serve, "exit");
  serve.kill("SIGTERM");
  await exited;
});

/** Runs `flyte-agent <args>` to its end. */
function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { ...process.env, LOG_LEVEL: "info" } }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const asyncTemplate = () =>
  taskTemplate({ type: "custom_task", custom: { durationSeconds: 0.2 }, inputs: { x: "integer" }, outputs: { x: "integer" } });

test("runTask over v2 runs the template agent to SUCCEEDED with its outputs", async () => {
  const result = await runTask({ template: asyncTemplate(), inputs: { x: 42n }, endpoint, protocol: "v2", ...FAST });
  expect(result.sync).toBe(false);
  expect(result.timeline.at(-1)?.phaseName).toBe("SUCCEEDED");
  expect(result.values).toEqual({ x: 42n });
});

test("runTask over v2 on the sync category fails, saying sync agents run over v1", async () => {
  const err = await runTask({ template: taskTemplate({ type: "custom_sync_task" }), endpoint, protocol: "v2", ...FAST }).then(
    () => undefined,
    (e: unknown) => e,
  );
  // ListConnectors leaves the sync agent out, so the client stops before CreateTask.
  expect(err).toBeInstanceOf(TaskRunError);
  expect((err as TaskRunError).reason).toBe("invalid");
  expect((err as Error).message).toMatch(/no agent serves task category custom_sync_task@0 .*served: custom_task@0/);
  expect((err as Error).message).toMatch(/sync agents are not listed over v2: run a sync agent's task over v1/);
});

test("CreateTask over v2 for the sync category is refused with FAILED_PRECONDITION naming the v1 sync service", async () => {
  const client = new PropellerClient(endpoint, { protocol: "v2" });
  try {
    const err = await client.createTask({ template: taskTemplate({ type: "custom_sync_task" }) }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(RpcCallError);
    expect((err as RpcCallError).code).toBe(GrpcStatus.FAILED_PRECONDITION);
    expect((err as RpcCallError).details).toBe(
      'task category custom_sync_task@0 is served by the sync agent "Custom Sync Agent"; flyteidl2 has no sync service: call flyteidl.service.SyncAgentService/ExecuteTaskSync (Flyte 1) instead',
    );
  } finally {
    client.close();
  }
});

/** Writes `templateJson` to a file and runs `flyte-agent run <file> --endpoint <server> --protocol v2 <extra>`. */
function runV2(templateJson: unknown, extra: string[] = []): Promise<{ code: number; stdout: string; stderr: string }> {
  const file = join(mkdtempSync(join(tmpdir(), "run-v2-")), "task.json");
  writeFileSync(file, JSON.stringify(templateJson));
  const fast = ["--poll-interval", "20ms", "--max-poll-interval", "50ms"];
  return cli(["run", file, "--endpoint", endpoint, "--protocol", "v2", ...fast, ...extra]);
}

test("flyte-agent run --protocol v2 --endpoint prints the outputs of the template agent", async () => {
  const { code, stdout, stderr } = await runV2(asyncTemplateJson(), ["-i", "x=7"]);
  expect({ code, stderr }).toMatchObject({ code: 0 });
  expect(JSON.parse(stdout)).toEqual({ x: 7 });
  expect(stderr).toMatch(/over flyteidl2 \(v2\)/);
});

test("flyte-agent run --protocol v2 on the sync category fails with a message naming the problem", async () => {
  const { code, stdout, stderr } = await runV2({ type: "custom_sync_task", taskTypeVersion: 0 });
  expect(code).not.toBe(0);
  expect(stdout).toBe("");
  expect(stderr).toMatch(/custom_sync_task@0/);
  expect(stderr).toMatch(/sync agents are not listed over v2: run a sync agent's task over v1/);
});

/** The async template as flyteidl JSON (what `flyte-agent run` reads). */
function asyncTemplateJson(): unknown {
  return {
    type: "custom_task",
    taskTypeVersion: 0,
    custom: { durationSeconds: 0.2 },
    interface: {
      inputs: { variables: { x: { type: { simple: "INTEGER" } } } },
      outputs: { variables: { x: { type: { simple: "INTEGER" } } } },
    },
  };
}
