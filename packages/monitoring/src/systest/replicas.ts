/**
 * System test of several replicas (run by tests/system/replicas.test.sh): three
 * `flyte-agent serve` processes on 127.0.0.1 with the image's drain settings.
 *
 * The tasks are Databricks runs against a fake workspace on loopback (real HTTP, Jobs API 2.1)
 * that answers every request after 100 ms, like a remote API: calls are in flight when a replica
 * is told to stop, so its drain settings matter.
 *
 * 1. A task created through one replica is polled and deleted through the other two.
 * 2. Rolling restart under a propeller-shaped load, twice: 1,000 tasks created and polled (one in
 *    twenty aborted with DeleteTask) while each replica in turn gets SIGTERM, exits and
 *    starts again on its port. The first run's client does gRPC client-side `round_robin` over
 *    the three addresses, as propeller's `k8s://` resolver does; the second goes through HAProxy
 *    (h2c), as a mesh or an ingress would. Both keep connections alive with HTTP/2 pings.
 *
 * Propeller retries no call itself: a CreateTask error costs the task one of its retries and six
 * GetTask failures in a row fail the task. A run passes when no CreateTask fails and no task sees
 * six GetTask failures in a row. The errors per RPC and per run are printed.
 *
 *   node dist/systest/replicas.js <work-dir> [haproxy-binary]
 * @module
 */
import { type ChildProcess, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { AgentConnection, type RpcCallError } from "@flyte-agent/core";
import { taskTemplate, testExecutionMetadata } from "@flyte-agent/testing";
import * as grpc from "@grpc/grpc-js";
import { type AgentProcess, freePort, healthStatus, pause, startAgent, stopAgent } from "./processes";

/** The image's drain settings (docker/Dockerfile): NOT_SERVING for 5 s, then up to 20 s for in-flight calls. */
const DRAIN_ENV = { FLYTE_AGENT_SHUTDOWN_DELAY: "5s", FLYTE_AGENT_DRAIN_TIMEOUT: "20s" };
const TASKS = 1000;
/** Tasks are created over this many ms (about 100 CreateTask/s)... */
const CREATE_SPREAD_MS = 10_000;
/** ...each runs this long... */
const TASK_SECONDS = 25;
/**
 * ...and is polled this often: about 200 GetTask/s for 1,000 tasks, a busy cluster's worth of
 * propellers (each polls a task about every 30 s, capped near 10 GetTask/s).
 */
const POLL_MS = 5_000;
/** Propeller fails a task after this many GetTask failures in a row. */
const GET_FAILURE_LIMIT = 6;
const CATEGORY = { name: "databricks", version: 0 };
const TOKEN = "dapi-replicas-token";
/** How long the fake workspace takes to answer each request. */
const API_LATENCY_MS = 100;
/** Each run is PENDING once, then RUNNING for this many polls, then TERMINATED (SUCCESS). */
const RUNNING_POLLS = Math.ceil((TASK_SECONDS * 1000) / POLL_MS);
/** Propeller's keepalive (Flyte 2's executor: 30 s / 10 s). */
const KEEPALIVE = { "grpc.keepalive_time_ms": 30_000, "grpc.keepalive_timeout_ms": 10_000 };

type Rpc = "CreateTask" | "GetTask" | "DeleteTask";

/** Errors per RPC and status, and the worst run of GetTask failures of any task. */
class RunReport {
  readonly calls: Record<Rpc, number> = { CreateTask: 0, GetTask: 0, DeleteTask: 0 };
  readonly errors: Record<Rpc, Map<string, number>> = { CreateTask: new Map(), GetTask: new Map(), DeleteTask: new Map() };
  /** The first message seen for each RPC and status. */
  readonly samples = new Map<string, string>();
  maxGetFailuresInARow = 0;
  tasksFailedByPolling = 0;
  finished = 0;
  aborted = 0;

  error(rpc: Rpc, err: unknown): void {
    const code = (err as Partial<RpcCallError>).code;
    const name = code !== undefined ? (grpc.status[code] ?? String(code)) : "non-gRPC error";
    this.errors[rpc].set(name, (this.errors[rpc].get(name) ?? 0) + 1);
    if (!this.samples.has(`${rpc} ${name}`)) this.samples.set(`${rpc} ${name}`, String((err as Error).message).slice(0, 300));
  }

  errorCount(rpc: Rpc): number {
    return [...this.errors[rpc].values()].reduce((a, b) => a + b, 0);
  }

  lines(run: string): string[] {
    const lines = (["CreateTask", "GetTask", "DeleteTask"] as Rpc[]).map((rpc) => {
      const detail = [...this.errors[rpc]].map(([code, n]) => `${code} ${n}`).join(", ");
      return `replicas: ${run}: ${rpc}: ${this.calls[rpc]} calls, ${this.errorCount(rpc)} errors${detail ? ` (${detail})` : ""}`;
    });
    for (const [what, message] of this.samples) lines.push(`replicas: ${run}: first ${what}: ${message}`);
    return lines;
  }
}

const template = () =>
  taskTemplate({
    type: "databricks",
    name: "wf.spark_job",
    custom: { databricksConf: { run_name: "replicas", new_cluster: { spark_version: "13.3.x-scala2.12", num_workers: 1.0 } } },
    container: { image: "ghcr.io/example/spark:1.0", args: ["pyflyte-execute"], env: {} },
  });

/** The replicas' environment: the image's drain settings and the fake workspace with its token. */
function replicaEnv(workspaceUrl: string): Record<string, string> {
  return { ...DRAIN_ENV, _FSEC_FLYTE_DATABRICKS_ACCESS_TOKEN: TOKEN, FLYTE_DATABRICKS_INSTANCE: workspaceUrl };
}

/** A fake workspace in a process of its own (fake-databricks.ts), so that the load's client does not slow it down. */
async function startWorkspace(): Promise<{ url: string; stop: () => Promise<string> }> {
  const child = spawn(
    process.execPath,
    [join(__dirname, "fake-databricks.js"), TOKEN, String(API_LATENCY_MS), String(RUNNING_POLLS)],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let stderr = "";
  child.stderr?.on("data", (c: Buffer) => {
    stderr += c.toString("utf8");
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (c: Buffer) => {
      out += c.toString("utf8");
      if (out.includes("\n")) resolve(out.trim());
    });
    child.once("exit", () => reject(new Error(`the fake workspace exited: ${stderr}`)));
  });
  return {
    url,
    stop: async () => {
      child.kill("SIGTERM");
      await exited;
      return stderr.trim();
    },
  };
}

/** One task as propeller drives it: create, poll until a terminal phase, abort one task in 20. */
async function driveTask(client: AgentConnection, run: string, index: number, report: RunReport): Promise<void> {
  await pause(Math.floor((index / TASKS) * CREATE_SPREAD_MS));
  let meta: Buffer;
  try {
    report.calls.CreateTask++;
    const res = await client.createTask({
      template: template(),
      inputs: { literals: {} },
      outputPrefix: `s3://bucket/outputs/${index}/0`,
      taskExecutionMetadata: testExecutionMetadata(`${run}-${index}`, 0),
    });
    meta = Buffer.from(res.resourceMeta);
  } catch (err) {
    report.error("CreateTask", err);
    return;
  }
  const abort = index % 20 === 0;
  let failuresInARow = 0;
  for (let poll = 0; ; poll++) {
    if (abort && poll === 3) {
      try {
        report.calls.DeleteTask++;
        await client.deleteTask({ taskType: CATEGORY.name, taskCategory: CATEGORY, resourceMeta: meta });
        report.aborted++;
        return;
      } catch (err) {
        report.error("DeleteTask", err);
      }
    }
    try {
      report.calls.GetTask++;
      const res = await client.getTask({ taskType: CATEGORY.name, taskCategory: CATEGORY, resourceMeta: meta, outputPrefix: "" });
      failuresInARow = 0;
      const phase = res.resource?.phase ?? 0;
      if (phase === 3 || phase === 4 || phase === 5 || phase === 8) {
        report.finished++;
        return;
      }
    } catch (err) {
      report.error("GetTask", err);
      failuresInARow++;
      report.maxGetFailuresInARow = Math.max(report.maxGetFailuresInARow, failuresInARow);
      if (failuresInARow >= GET_FAILURE_LIMIT) {
        report.tasksFailedByPolling++;
        return;
      }
    }
    await pause(POLL_MS);
  }
}

/** SIGTERM each replica in turn, wait for it to exit (code 0), start it again on its ports. */
async function rollingRestart(replicas: AgentProcess[], env: Record<string, string>, log: (line: string) => void): Promise<void> {
  for (let i = 0; i < replicas.length; i++) {
    const old = replicas[i] as AgentProcess;
    const started = Date.now();
    const code = await stopAgent(old);
    if (code !== 0) throw new Error(`replica ${i} exited with ${code} after SIGTERM:\n${old.output()}`);
    replicas[i] = await startAgent({ port: old.port, metricsPort: old.metricsPort, env });
    log(`replicas: restarted replica ${i} (port ${old.port}) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    await pause(1000);
  }
}

async function loadRun(
  name: string,
  client: AgentConnection,
  replicas: AgentProcess[],
  env: Record<string, string>,
  log: (line: string) => void,
): Promise<RunReport> {
  const report = new RunReport();
  const started = Date.now();
  const tasks = Array.from({ length: TASKS }, (_, i) => driveTask(client, name, i, report));
  await pause(3000);
  await rollingRestart(replicas, env, log);
  await Promise.all(tasks);
  log(
    `replicas: ${name}: ${TASKS} tasks in ${((Date.now() - started) / 1000).toFixed(1)} s: ${report.finished} finished, ${report.aborted} aborted`,
  );
  for (const line of report.lines(name)) log(line);
  log(
    `replicas: ${name}: most GetTask failures in a row for one task: ${report.maxGetFailuresInARow} (propeller fails a task at ${GET_FAILURE_LIMIT})`,
  );
  return report;
}

function startHaproxy(bin: string, work: string, port: number, replicas: AgentProcess[]): ChildProcess {
  const config = [
    "global",
    "  maxconn 4096",
    "defaults",
    "  mode http",
    "  timeout connect 1s",
    "  timeout client 60s",
    "  timeout server 60s",
    "  retries 3",
    "  option redispatch 1",
    "  retry-on conn-failure empty-response",
    "frontend grpc",
    `  bind 127.0.0.1:${port} proto h2`,
    "  default_backend agents",
    "backend agents",
    "  balance roundrobin",
    ...replicas.map((r, i) => `  server agent${i} 127.0.0.1:${r.port} proto h2 check inter 500ms fall 1 rise 1`),
    "",
  ].join("\n");
  writeFileSync(join(work, "haproxy.cfg"), config);
  return spawn(bin, ["-f", join(work, "haproxy.cfg"), "-db"], { stdio: ["ignore", "ignore", "pipe"] });
}

async function main(): Promise<number> {
  const [work, haproxyBin] = process.argv.slice(2);
  if (!work) {
    process.stderr.write("usage: replicas.js <work-dir> [haproxy-binary]\n");
    return 2;
  }
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const replicas: AgentProcess[] = [];
  let haproxy: ChildProcess | undefined;
  const workspace = await startWorkspace();
  const env = replicaEnv(workspace.url);
  try {
    for (let i = 0; i < 3; i++) replicas.push(await startAgent({ env }));
    log(`replicas: three replicas on ports ${replicas.map((r) => r.port).join(", ")}`);
    const direct = replicas.map((r) => new AgentConnection(`127.0.0.1:${r.port}`, grpc.credentials.createInsecure()));
    const [a, b, c] = direct as [AgentConnection, AgentConnection, AgentConnection];

    // 1. Stateless: created on one, polled and deleted on the others.
    const created = await a.createTask({
      template: template(),
      inputs: { literals: {} },
      outputPrefix: "s3://bucket/outputs/stateless/0",
      taskExecutionMetadata: testExecutionMetadata("stateless", 0),
    });
    const meta = Buffer.from(created.resourceMeta);
    const polled = await b.getTask({ taskType: CATEGORY.name, taskCategory: CATEGORY, resourceMeta: meta, outputPrefix: "" });
    await c.deleteTask({ taskType: CATEGORY.name, taskCategory: CATEGORY, resourceMeta: meta });
    const phase = polled.resource?.phase;
    if (phase === undefined || phase === 0 || phase === 3 || phase === 4 || phase === 5 || phase === 8) {
      throw new Error(`GetTask on another replica answered phase ${phase}, not a running phase`);
    }
    log(`replicas: a task created on replica 0 was polled on replica 1 (phase ${phase}) and deleted through replica 2`);
    for (const d of direct) d.close();

    // 2a. round_robin over the three addresses, as propeller's k8s:// resolver gives them.
    const target = `ipv4:${replicas.map((r) => `127.0.0.1:${r.port}`).join(",")}`;
    const roundRobin = new AgentConnection(target, grpc.credentials.createInsecure(), {
      timeouts: { createTask: 10_000, getTask: 10_000, deleteTask: 10_000 },
      channelOptions: { ...KEEPALIVE, "grpc.service_config": JSON.stringify({ loadBalancingConfig: [{ round_robin: {} }] }) },
    });
    const reports: [string, RunReport][] = [];
    reports.push(["round_robin", await loadRun("round_robin", roundRobin, replicas, env, log)]);
    roundRobin.close();

    // 2b. Through HAProxy (h2c to every replica).
    if (haproxyBin) {
      const port = await freePort();
      haproxy = startHaproxy(haproxyBin, work, port, replicas);
      let ready = false;
      for (let i = 0; i < 50 && !ready; i++) {
        ready = await healthStatus(`127.0.0.1:${port}`);
        if (!ready) await pause(100);
      }
      if (!ready) throw new Error("HAProxy never forwarded a health check");
      const proxied = new AgentConnection(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
        timeouts: { createTask: 10_000, getTask: 10_000, deleteTask: 10_000 },
        channelOptions: KEEPALIVE,
      });
      reports.push(["haproxy", await loadRun("haproxy", proxied, replicas, env, log)]);
      proxied.close();
    } else {
      log("replicas: haproxy: SKIPPED (no haproxy binary): only the round_robin run was made");
    }

    let ok = true;
    for (const [name, r] of reports) {
      const pass = r.errorCount("CreateTask") === 0 && r.tasksFailedByPolling === 0;
      log(
        `replicas: ${name}: ${pass ? "PASS" : "FAIL"} (CreateTask errors ${r.errorCount("CreateTask")}, tasks failed by ${GET_FAILURE_LIMIT} GetTask failures in a row ${r.tasksFailedByPolling})`,
      );
      ok &&= pass;
    }
    return ok ? 0 : 1;
  } catch (err) {
    process.stderr.write(`replicas: FAIL: ${(err as Error).stack ?? String(err)}\n`);
    for (const r of replicas) process.stderr.write(`--- replica on ${r.port} ---\n${r.output()}\n`);
    return 1;
  } finally {
    haproxy?.kill("SIGTERM");
    await Promise.all(replicas.map((r) => stopAgent(r, 5_000)));
    log(`replicas: the workspace saw ${await workspace.stop()}`);
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`replicas: ${String(err)}\n`);
    process.exitCode = 1;
  },
);
