/**
 * `flyte-agent run` through real child processes: in-process and against a served endpoint,
 * success, failure, Ctrl-C (SIGINT) and --timeout, with the test plugin recording every create
 * and delete in a file so the tests see what reached the agent.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ONLY_TEST_PLUGIN, runCli, startCli, TEST_PLUGIN, tempDir, writeJson, type CliProcess } from "./helpers/cli";

const echoTemplate = (custom: Record<string, unknown>) => ({
  id: { resourceType: "TASK", project: "p", domain: "d", name: "echo", version: "1" },
  type: "runner_echo",
  interface: {
    inputs: {
      variables: {
        n: { type: { simple: "INTEGER" } },
        name: { type: { simple: "STRING" } },
        xs: { type: { collectionType: { simple: "FLOAT" } } },
      },
    },
  },
  custom,
});

const INPUTS = ["-i", "n=9007199254740993", "-i", "name=hi", "-i", "xs=[1, 2.5]"];
const FAST = ["--poll-interval", "50ms", "--max-poll-interval", "200ms"];

let dir: string;
let log: string;
beforeEach(() => {
  dir = tempDir();
  log = join(dir, "agent.log");
});
const agentLog = () => (existsSync(log) ? readFileSync(log, "utf8").trim().split("\n") : []);

describe("flyte-agent run in-process", () => {
  test("runs an async task to SUCCEEDED, shows the phases and prints the outputs as JSON", async () => {
    const template = writeJson(dir, "echo.json", echoTemplate({ durationMs: 3000 }));
    const { code, stdout, stderr } = await runCli(["run", template, ...INPUTS, ...FAST, ...ONLY_TEST_PLUGIN], {
      RUNNER_TEST_LOG: log,
    });
    expect({ code, stderr }).toMatchObject({ code: 0 });
    // 2^53 + 1 does not fit a double: it is printed as a string, the rest as numbers.
    expect(JSON.parse(stdout)).toEqual({ n: "9007199254740993", name: "hi", xs: [1, 2.5] });
    expect(stderr).toMatch(/running runner_echo@0 \(async\) in-process/);
    expect(stderr).toMatch(/RUNNING\s+echoing[\s\S]*SUCCEEDED\s+done/);
    expect(stderr).toContain("log: Echo Console: https://echo.example/jobs/");
    expect(agentLog()).toHaveLength(1);
    expect(agentLog()[0]).toMatch(/^create [0-9a-f]{8} local-[0-9a-f]{10}$/);
  });

  test("runs a sync task through ExecuteTaskSync and writes the outputs to --output", async () => {
    const template = writeJson(dir, "sync.yaml", { type: "runner_sync" });
    const out = join(dir, "out.json");
    const { code, stdout, stderr } = await runCli([
      "run",
      template,
      "-i",
      "a=1",
      "-i",
      'b={"k":[true]}',
      "-o",
      out,
      ...ONLY_TEST_PLUGIN,
    ]);
    expect({ code, stderr }).toMatchObject({ code: 0 });
    expect(stdout).toBe("");
    expect(stderr).toMatch(/runner_sync@0 \(sync\)/);
    expect(JSON.parse(readFileSync(out, "utf8"))).toEqual({ a: 1, b: { k: [true] } });
  });

  test("exits 1 with the agent's message when the task FAILED", async () => {
    const template = writeJson(
      dir,
      "fail.json",
      echoTemplate({ durationMs: 100, endPhase: "FAILED", message: "quota exceeded" }),
    );
    const { code, stdout, stderr } = await runCli(["run", template, ...INPUTS, ...FAST, ...ONLY_TEST_PLUGIN]);
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toContain("flyte-agent run: task ended FAILED: quota exceeded");
  });

  test("treats RETRYABLE_FAILED as terminal", async () => {
    const template = writeJson(dir, "retry.json", echoTemplate({ endPhase: "RETRYABLE_FAILED", message: "try again" }));
    const { code, stderr } = await runCli(["run", template, ...INPUTS, ...FAST, ...ONLY_TEST_PLUGIN, "--timeout", "20s"]);
    expect(code).toBe(1);
    expect(stderr).toContain("task ended RETRYABLE_FAILED: try again");
  });

  test("rejects an input that does not fit its declared type, naming it, before calling the agent", async () => {
    const template = writeJson(dir, "echo.json", echoTemplate({}));
    const { code, stderr } = await runCli(
      ["run", template, "-i", "n=twelve", "-i", "name=x", "-i", "xs=[]", ...ONLY_TEST_PLUGIN],
      {
        RUNNER_TEST_LOG: log,
      },
    );
    expect(code).toBe(2);
    expect(stderr).toContain('input "n" (integer): expected integer, got string ("twelve")');
    expect(agentLog()).toEqual([]);
  });

  test("names missing and unknown inputs", async () => {
    const template = writeJson(dir, "echo.json", echoTemplate({}));
    const missing = await runCli(["run", template, "-i", "n=1", ...ONLY_TEST_PLUGIN]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("missing inputs name (string), xs (list<float>)");
    const unknown = await runCli(["run", template, ...INPUTS, "-i", "nn=1", ...ONLY_TEST_PLUGIN]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown input "nn": the task takes n (integer), name (string), xs (list<float>)');
  });

  test("says which categories are served when none matches the template", async () => {
    const template = writeJson(dir, "other.json", { type: "no_such_task", task_type_version: 2 });
    const { code, stderr } = await runCli(["run", template, ...ONLY_TEST_PLUGIN]);
    expect(code).toBe(2);
    expect(stderr).toContain(
      "no agent serves task category no_such_task@2 among the loaded plugins (served: runner_echo@0, runner_sync@0)",
    );
  });

  test("SIGINT during a run deletes the task, then exits 130", async () => {
    const template = writeJson(dir, "long.json", echoTemplate({ durationMs: 120_000 }));
    const run = startCli(["run", template, ...INPUTS, ...FAST, ...ONLY_TEST_PLUGIN], { RUNNER_TEST_LOG: log });
    await run.waitFor(/RUNNING/);
    run.child.kill("SIGINT");
    expect(await run.exited).toBe(130);
    const [created, deleted] = agentLog();
    const id = created?.split(" ")[1];
    expect(id).toMatch(/^[0-9a-f]{8}$/);
    expect(deleted).toBe(`delete ${id}`);
    expect(run.stderr).toContain("aborted (last phase RUNNING); the task was deleted");
  });

  test("--timeout stops a long task, deletes it and exits 124", async () => {
    const template = writeJson(dir, "long.json", echoTemplate({ durationMs: 120_000 }));
    const started = Date.now();
    const { code, stderr } = await runCli(["run", template, ...INPUTS, ...FAST, ...ONLY_TEST_PLUGIN, "--timeout", "4s"], {
      RUNNER_TEST_LOG: log,
    });
    expect(code).toBe(124);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(stderr).toContain("timed out after 4.0s (last phase RUNNING); the task was deleted");
    const [created, deleted] = agentLog();
    expect(deleted).toBe(`delete ${created?.split(" ")[1]}`);
  });
});

describe("flyte-agent run --endpoint", () => {
  let server: CliProcess;
  let endpoint: string;
  let serverLog: string;

  beforeAll(async () => {
    serverLog = join(tempDir(), "served-agent.log");
    server = startCli(["serve", "--port", "0", "--host", "127.0.0.1", "--prometheus-port", "-1", "--include", TEST_PLUGIN], {
      RUNNER_TEST_LOG: serverLog,
    });
    const [, port] = await server.waitFor(/"port":(\d+)/);
    endpoint = `127.0.0.1:${port}`;
  });
  afterAll(async () => {
    server.child.kill("SIGTERM");
    await server.exited;
  });

  test("runs an async task on a served agent", async () => {
    const template = writeJson(dir, "echo.json", echoTemplate({ durationMs: 300 }));
    const { code, stdout, stderr } = await runCli(["run", template, ...INPUTS, ...FAST, "--endpoint", endpoint]);
    expect({ code, stderr }).toMatchObject({ code: 0 });
    expect(stderr).toContain(`(async) on ${endpoint}`);
    expect(JSON.parse(stdout)).toEqual({ n: "9007199254740993", name: "hi", xs: [1, 2.5] });
  });

  test("runs a sync task on a served agent and reports its failure", async () => {
    const ok = writeJson(dir, "sync.json", { type: "runner_sync" });
    const good = await runCli(["run", ok, "-i", "x=3", "--endpoint", endpoint]);
    expect({ code: good.code, out: JSON.parse(good.stdout) }).toEqual({ code: 0, out: { x: 3 } });
    const bad = writeJson(dir, "sync-fail.json", { type: "runner_sync", custom: { fail: true, message: "no table" } });
    const failed = await runCli(["run", bad, "--endpoint", endpoint]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain("task ended FAILED: no table");
  });

  test("SIGINT deletes the task on the served agent", async () => {
    const template = writeJson(dir, "long.json", echoTemplate({ durationMs: 120_000 }));
    const run = startCli(["run", template, ...INPUTS, ...FAST, "--endpoint", endpoint]);
    const [, jobId] = await run.waitFor(/jobs\/([0-9a-f]{8})/);
    run.child.kill("SIGINT");
    expect(await run.exited).toBe(130);
    expect(readFileSync(serverLog, "utf8")).toContain(`delete ${jobId}`);
  });

  test("fails clearly when nothing listens at the endpoint", async () => {
    const template = writeJson(dir, "echo.json", echoTemplate({}));
    const { code, stderr } = await runCli(["run", template, ...INPUTS, "--endpoint", "127.0.0.1:1", "--rpc-timeout", "2s"]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/flyte-agent run: ListAgents failed: (UNAVAILABLE|DEADLINE_EXCEEDED)/);
    expect(stderr).not.toContain("speaks TLS");
  });
});

describe("flyte-agent run --endpoint with TLS", () => {
  let server: CliProcess;
  let port: string;
  let cert: string;

  beforeAll(async () => {
    const certDir = tempDir();
    cert = join(certDir, "cert.pem");
    const key = join(certDir, "key.pem");
    execFileSync(
      "openssl",
      ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost"].concat([
        "-addext",
        "subjectAltName=DNS:localhost,IP:127.0.0.1",
        "-keyout",
        key,
        "-out",
        cert,
      ]),
      { stdio: "ignore" },
    );
    server = startCli(
      ["serve", "--port", "0", "--host", "127.0.0.1", "--prometheus-port", "-1"].concat([
        "--tls-cert",
        cert,
        "--tls-key",
        key,
        "--include",
        TEST_PLUGIN,
      ]),
    );
    [, port = ""] = await server.waitFor(/"port":(\d+)/);
  });
  afterAll(async () => {
    server.child.kill("SIGTERM");
    await server.exited;
  });

  test("--ca-cert trusts the server's certificate; plaintext is refused", async () => {
    const template = writeJson(dir, "sync.json", { type: "runner_sync" });
    const ok = await runCli(["run", template, "-i", "x=1", "--endpoint", `127.0.0.1:${port}`, "--ca-cert", cert]);
    expect({ code: ok.code, stderr: ok.stderr, out: ok.stdout }).toMatchObject({ code: 0, out: '{\n  "x": 1\n}\n' });
    const plain = await runCli(["run", template, "-i", "x=1", "--endpoint", `127.0.0.1:${port}`, "--rpc-timeout", "2s"]);
    expect(plain.code).toBe(1);
    expect(plain.stderr).toMatch(/ListAgents failed: (UNAVAILABLE|DEADLINE_EXCEEDED)/);
    expect(plain.stderr).toContain(`hint: 127.0.0.1:${port} speaks TLS; add --tls`);
  });
});
