/**
 * `flyte-agent serve` start-up checks and fatal errors, as a real child process: every flag is
 * checked before anything starts (exit code 2, a message naming the flag), and an uncaught
 * exception or unhandled rejection drains in-flight calls and ends the process with code 1.
 */
import { once } from "node:events";
import * as http2 from "node:http2";
import { type AddressInfo, createServer } from "node:net";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { flyteidl } from "../src";
import { runCli, startServe, type ServeProcess, TEST_PLUGIN, waitForOutput } from "./fixtures/serve-process";

const CRASHING_PLUGIN = join(__dirname, "fixtures", "crashing-plugin.cjs");

/** Runs `flyte-agent serve` with the test plugin and the given arguments, to completion. */
const serveOnce = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  runCli(["serve", "--port", "0", "--host", "127.0.0.1", "--include", TEST_PLUGIN, ...args], { env });

describe("flags are checked at start-up", () => {
  const refused: Array<[string, string[], NodeJS.ProcessEnv, string]> = [
    ["bad --drain-timeout", ["--drain-timeout", "soon"], {}, "option '--drain-timeout <duration>' argument 'soon' is invalid"],
    ["bare fraction", ["--shutdown-delay", "1.5"], {}, "write 1.5s for seconds"],
    [
      "non-numeric --prometheus-port",
      ["--prometheus-port", "abc"],
      {},
      "option '--prometheus-port <port>' argument 'abc' is invalid",
    ],
    ["port out of range", ["--port", "70000"], {}, "Expected an integer from 0 to 65535"],
    [
      "bad port in the environment",
      [],
      { FLYTE_AGENT_PROMETHEUS_PORT: "nine" },
      "from env 'FLYTE_AGENT_PROMETHEUS_PORT' is invalid",
    ],
    [
      "unreadable certificate",
      ["--tls-cert", "/nonexistent/cert.pem", "--tls-key", "/nonexistent/key.pem"],
      {},
      "Cannot read it (ENOENT)",
    ],
    ["certificate without key", ["--tls-cert", __filename], {}, "--tls-cert needs --tls-key"],
    ["unknown protocol", ["--protocols", "v1,v3"], {}, 'unknown protocol "v3"; expected a comma-separated list of v1, v2'],
    ["empty protocol list in the environment", [], { FLYTE_AGENT_PROTOCOLS: "" }, "from env 'FLYTE_AGENT_PROTOCOLS' is invalid"],
    ["zero message size", ["--max-message-size", "0"], {}, "Expected an integer from 1 to"],
    ["unknown flag", ["--drain", "5s"], {}, "unknown option '--drain'"],
    [
      "bad --max-connection-idle",
      ["--max-connection-idle", "forever"],
      {},
      "option '--max-connection-idle <duration>' argument 'forever' is invalid",
    ],
    [
      "bad --max-connection-age",
      ["--max-connection-age", "half an hour"],
      {},
      "option '--max-connection-age <duration>' argument 'half an hour' is invalid",
    ],
    [
      "bad max connection age grace in the environment",
      [],
      { FLYTE_AGENT_MAX_CONNECTION_AGE_GRACE: "1 minute" },
      "from env 'FLYTE_AGENT_MAX_CONNECTION_AGE_GRACE' is invalid",
    ],
    [
      "bad shutdown delay in the environment",
      [],
      { FLYTE_AGENT_SHUTDOWN_DELAY: "5 seconds" },
      "from env 'FLYTE_AGENT_SHUTDOWN_DELAY' is invalid",
    ],
  ];
  it.each(refused)("%s: exit code 2 with a message, nothing served", async (_name, args, env, message) => {
    const { code, stdout, stderr } = await serveOnce(args, env);
    expect(stderr).toContain(message);
    expect(code).toBe(2);
    expect(stdout + stderr).not.toContain("serving");
  });

  it("accepts the duration syntax for --drain-timeout and --shutdown-delay, and -1 for --prometheus-port", async () => {
    const p = await startServe(["--drain-timeout", "1m30s", "--shutdown-delay", "250ms", "--prometheus-port", "-1"]);
    try {
      expect(p.port).toBeGreaterThan(0);
      expect(p.metricsPort).toBeUndefined(); // -1 turns metrics off
      const stopped = Date.now();
      p.child.kill("SIGTERM");
      expect(await p.exited).toBe(0);
      expect(Date.now() - stopped).toBeGreaterThanOrEqual(250); // NOT_SERVING for the shutdown delay first
    } finally {
      if (p.child.exitCode === null) p.child.kill("SIGKILL");
    }
  });
});

test("FLYTE_AGENT_MAX_CONNECTION_IDLE closes a connection left without calls", async () => {
  const p = await startServe([], { FLYTE_AGENT_MAX_CONNECTION_IDLE: "300ms" });
  // Timed from before the connection exists: the server's idle clock cannot start earlier.
  const opened = Date.now();
  const session = http2.connect(`http://127.0.0.1:${p.port}`);
  session.on("error", () => undefined);
  try {
    await once(session, "remoteSettings");
    const [code] = await once(session, "goaway");
    expect(code).toBe(http2.constants.NGHTTP2_NO_ERROR);
    expect(Date.now() - opened).toBeGreaterThanOrEqual(290);
    expect(Date.now() - opened).toBeLessThan(5000);
  } finally {
    session.destroy();
    p.child.kill("SIGKILL");
  }
});

describe("a port that cannot be bound ends the process", () => {
  test("a metrics port in use: the message names it, the gRPC port is released, exit code 1", async () => {
    const busy = createServer();
    busy.listen(0, "127.0.0.1");
    await once(busy, "listening");
    const busyPort = (busy.address() as AddressInfo).port;
    try {
      const result = await serveOnce(["--prometheus-port", String(busyPort)]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`EADDRINUSE`);
      expect(result.stderr).toContain(String(busyPort));
      expect(result.stdout + result.stderr).not.toContain("serving");
    } finally {
      busy.close();
    }
  });
});

describe("a fatal error in a plugin ends the process", () => {
  const running: ServeProcess[] = [];
  afterEach(() => {
    for (const p of running.splice(0)) if (p.child.exitCode === null) p.child.kill("SIGKILL");
  });

  const create = (address: string, template: { type: string; taskTypeVersion?: number }) => {
    const client = new flyteidl.service.AsyncAgentServiceClient(address, grpc.credentials.createInsecure());
    return new Promise<flyteidl.admin.CreateTaskResponse>((resolve, reject) =>
      client.createTask(flyteidl.admin.CreateTaskRequest.fromPartial({ template }), (err, res) => {
        client.close();
        if (err) reject(err);
        else resolve(res);
      }),
    );
  };

  it.each([
    ["uncaught exception", 0],
    ["unhandled rejection", 1],
  ])("%s: logged with its cause, in-flight calls drain, exit code 1", async (what, version) => {
    const p = await startServe(["--modules", CRASHING_PLUGIN], { SLOW_AGENT_MS: "600" });
    running.push(p);
    const address = `127.0.0.1:${p.port}`;
    const slow = create(address, { type: "slow", taskTypeVersion: 1 });
    await waitForOutput(p, "slow create started");
    await create(address, { type: "crash", taskTypeVersion: version });
    expect(Buffer.from((await slow).resourceMeta).toString()).toBe('{"id":"slow"}');
    expect(await p.exited).toBe(1);
    const fatal = p
      .output()
      .split("\n")
      .find((l) => l.includes('"level":"fatal"'));
    expect(fatal).toContain(`${what}; draining in-flight calls, then exiting with code 1`);
    expect(fatal).toContain('"error":"plugin bug: state table corrupted"');
    expect(p.output()).not.toContain("still serving");
  });
});
