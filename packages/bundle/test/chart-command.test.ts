import { spawn } from "node:child_process";
import { join } from "node:path";
import { MAX_TIMEOUT_SECONDS, planChartCommand } from "../src/chart-command";

describe("planChartCommand: the chart's commands as flyte-agent serve", () => {
  it("c0 and pyflyte serve agent|connector with no arguments serve with the defaults", () => {
    for (const [tool, argv] of [
      ["c0", []],
      ["pyflyte", ["serve", "agent"]],
      ["pyflyte", ["serve", "connector"]],
    ] as const) {
      expect(planChartCommand(tool, argv)).toEqual({ kind: "serve", serveArgs: [], timeoutSeconds: undefined, warnings: [] });
    }
  });

  it("maps --port and --prometheus_port, in both the spaced and the = forms", () => {
    expect(planChartCommand("c0", ["--port", "8001", "--prometheus_port=9191"])).toMatchObject({
      kind: "serve",
      serveArgs: ["--port", "8001", "--prometheus-port", "9191"],
    });
    expect(planChartCommand("pyflyte", ["serve", "agent", "--port=7000", "--prometheus_port", "0"])).toMatchObject({
      serveArgs: ["--port", "7000", "--prometheus-port", "0"],
    });
  });

  it("--timeout N becomes a stop after N seconds, bounded by what a timer keeps", () => {
    expect(planChartCommand("c0", ["--timeout", "30"])).toMatchObject({ kind: "serve", serveArgs: [], timeoutSeconds: 30 });
    expect(planChartCommand("c0", ["--timeout", String(MAX_TIMEOUT_SECONDS)])).toMatchObject({
      timeoutSeconds: MAX_TIMEOUT_SECONDS,
    });
    expect(planChartCommand("c0", ["--timeout", String(MAX_TIMEOUT_SECONDS + 1)])).toEqual({
      kind: "refused",
      message: `c0: --timeout must be between 1 and ${MAX_TIMEOUT_SECONDS}, got ${MAX_TIMEOUT_SECONDS + 1}`,
    });
    expect(planChartCommand("c0", ["--timeout", "0"])).toMatchObject({ kind: "refused" });
  });

  it("--worker N is accepted and ignored with one warning", () => {
    const plan = planChartCommand("pyflyte", ["serve", "agent", "--worker", "10"]);
    expect(plan).toMatchObject({ kind: "serve", serveArgs: [] });
    if (plan.kind !== "serve") throw new Error("expected a serve plan");
    expect(plan.warnings).toHaveLength(1);
    expect(plan.warnings[0]).toMatch(/^pyflyte: --worker 10 is ignored/);
  });

  it("--modules is refused with one line naming it", () => {
    for (const argv of [["--modules", "my_connectors"], ["--modules=a,b"]]) {
      const plan = planChartCommand("c0", argv);
      expect(plan.kind).toBe("refused");
      if (plan.kind !== "refused") continue;
      expect(plan.message).toContain("--modules");
      expect(plan.message).not.toContain("\n");
    }
  });

  it("any other option is refused the same way, naming it", () => {
    expect(planChartCommand("c0", ["--host", "0.0.0.0"])).toEqual({
      kind: "refused",
      message: 'c0: option "--host" is not supported (see c0 --help)',
    });
    expect(planChartCommand("c0", ["--prometheus-port", "9090"])).toMatchObject({
      message: 'c0: option "--prometheus-port" is not supported (see c0 --help)',
    });
    expect(planChartCommand("c0", ["extra"])).toMatchObject({ message: 'c0: option "extra" is not supported (see c0 --help)' });
  });

  it("refuses bad values and missing values", () => {
    expect(planChartCommand("c0", ["--port"])).toEqual({ kind: "refused", message: "c0: --port needs a value" });
    expect(planChartCommand("c0", ["--port", "http"])).toEqual({
      kind: "refused",
      message: 'c0: --port must be an integer, got "http"',
    });
    expect(planChartCommand("c0", ["--port", "70000"])).toMatchObject({ kind: "refused" });
    expect(planChartCommand("c0", ["--worker", "-1"])).toMatchObject({ kind: "refused" });
  });

  it("pyflyte refuses anything but serve agent / serve connector", () => {
    for (const argv of [[], ["run", "x.py"], ["serve"], ["serve", "other"]]) {
      const plan = planChartCommand("pyflyte", argv);
      expect(plan.kind).toBe("refused");
      if (plan.kind === "refused")
        expect(plan.message).toMatch(/^pyflyte: only "pyflyte serve agent" and "pyflyte serve connector"/);
    }
  });

  it("--help prints the usage", () => {
    const plan = planChartCommand("c0", ["--help"]);
    expect(plan.kind).toBe("help");
    if (plan.kind === "help") expect(plan.text).toContain("--prometheus_port");
  });
});

/** Runs a bin of this package to its end, with a limit. */
function runBin(bin: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(__dirname, "..", "bin", bin), ...args], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    const guard = setTimeout(() => child.kill("SIGKILL"), 20_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(guard);
      resolve({ code, stderr });
    });
  });
}

describe("the c0 and pyflyte bins", () => {
  const env = { FLYTE_AGENT_HOST: "127.0.0.1", FLYTE_AGENT_SHUTDOWN_DELAY: "0s", LOG_LEVEL: "info" };

  it("c0 --timeout 1 serves, then stops by itself with exit code 0", async () => {
    const { code, stderr } = await runBin(
      "c0.js",
      ["--port", "0", "--prometheus_port", "0", "--timeout", "1", "--worker", "2"],
      env,
    );
    expect(stderr).toContain("c0: --worker 2 is ignored");
    // The agent table is printed once the server listens.
    expect(stderr).toContain("custom_task@0");
    expect(stderr).toContain("c0: --timeout 1: stopping the server");
    expect(code).toBe(0);
  });

  it("pyflyte serve agent --modules exits 2 with one line on stderr", async () => {
    const { code, stderr } = await runBin("pyflyte.js", ["serve", "agent", "--modules", "flytekitplugins.bigquery"], env);
    expect(code).toBe(2);
    expect(stderr.trim().split("\n")).toHaveLength(1);
    expect(stderr).toContain("--modules");
  });
});
