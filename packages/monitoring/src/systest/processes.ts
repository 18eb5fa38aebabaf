/**
 * Helpers of the system tests (`tests/system/prometheus.test.sh`, `replicas.test.sh`): free
 * ports, `flyte-agent serve` processes of the bundle (every workspace plugin), and waiting for
 * the gRPC health service.
 * @module
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";

/** The repository's root, from this package's dist/systest/. */
export const ROOT = join(__dirname, "..", "..", "..", "..");

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/** Milliseconds to wait, for polling loops that check a condition after each wait. */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** One `flyte-agent serve` process. */
export interface AgentProcess {
  readonly port: number;
  readonly metricsPort: number;
  readonly child: ChildProcess;
  /** Resolves with the exit code once the process has exited. */
  readonly exited: Promise<number | null>;
  /** What it wrote (stdout and stderr), for failure reports. */
  output(): string;
}

/**
 * Starts `flyte-agent-bundle serve` from packages/bundle (every workspace plugin installed) on
 * 127.0.0.1 and resolves once the gRPC health service reports SERVING.
 */
export async function startAgent(options: {
  port?: number;
  metricsPort?: number;
  env?: Record<string, string>;
  args?: string[];
}): Promise<AgentProcess> {
  const port = options.port ?? (await freePort());
  const metricsPort = options.metricsPort ?? (await freePort());
  const bundle = join(ROOT, "packages", "bundle");
  const child = spawn(process.execPath, [join(bundle, "bin", "flyte-agent-bundle.js"), "serve", ...(options.args ?? [])], {
    cwd: bundle,
    env: {
      ...process.env,
      LOG_LEVEL: "warn",
      FLYTE_AGENT_HOST: "127.0.0.1",
      FLYTE_AGENT_PORT: String(port),
      FLYTE_AGENT_PROMETHEUS_PORT: String(metricsPort),
      ...options.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let text = "";
  const keep = (chunk: Buffer) => {
    text = (text + chunk.toString("utf8")).slice(-20_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const agent: AgentProcess = { port, metricsPort, child, exited, output: () => text };
  const deadline = Date.now() + 20_000;
  let stopped = false;
  exited.then(() => {
    stopped = true;
  });
  while (!(await healthStatus(`127.0.0.1:${port}`))) {
    if (stopped) throw new Error(`flyte-agent serve on ${port} exited before serving:\n${text}`);
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`flyte-agent serve on ${port} did not report SERVING in 20 s:\n${text}`);
    }
    await pause(100);
  }
  return agent;
}

const healthService = {
  check: {
    path: "/grpc.health.v1.Health/Check",
    requestStream: false,
    responseStream: false,
    requestSerialize: (value: Buffer) => value,
    requestDeserialize: (value: Buffer) => value,
    responseSerialize: (value: Buffer) => value,
    responseDeserialize: (value: Buffer) => value,
  },
} as const;

/**
 * Whether the gRPC health service at `address` answers SERVING for the whole server. The
 * request is an empty HealthCheckRequest; the reply's field 1 (status) is 1 for SERVING.
 */
export function healthStatus(address: string): Promise<boolean> {
  const Client = grpc.makeGenericClientConstructor(healthService, "Health");
  const client = new Client(address, grpc.credentials.createInsecure());
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      healthService.check.path,
      (v: Buffer) => v,
      (v: Buffer) => v,
      Buffer.alloc(0),
      { deadline: Date.now() + 1000 },
      (err: grpc.ServiceError | null, reply?: Buffer) => {
        client.close();
        resolve(!err && reply !== undefined && reply.length === 2 && reply[0] === 0x08 && reply[1] === 0x01);
      },
    );
  });
}

/** Stops an agent with SIGTERM and resolves with its exit code (SIGKILL after `limitMs`). */
export async function stopAgent(agent: AgentProcess, limitMs = 40_000): Promise<number | null> {
  if (agent.child.exitCode !== null || agent.child.signalCode !== null) return agent.exited;
  agent.child.kill("SIGTERM");
  const timer = setTimeout(() => agent.child.kill("SIGKILL"), limitMs);
  const code = await agent.exited;
  clearTimeout(timer);
  return code;
}
