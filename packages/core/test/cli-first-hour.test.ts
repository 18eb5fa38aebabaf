/**
 * What a new user meets first, through the built CLI as a child process: plugin names in every
 * form, serve refusing to serve nothing, durations with units, one-line flag errors, the port
 * clash message, the TLS hint and `new` outside a workspace.
 */
import { once } from "node:events";
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { join, resolve } from "node:path";
import { runCli as runToEnd } from "./fixtures/serve-process";
import { startCli, tempDir, writeJson } from "./run/helpers/cli";

const TEMPLATE_DIR = resolve(__dirname, "../../template");
const ISOLATED = ["--port", "0", "--host", "127.0.0.1", "--prometheus-port", "-1"];

const listed = async (args: string[]) => {
  const r = await runToEnd(["list", "--json", ...args]);
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
  return (JSON.parse(r.stdout) as { plugins: Array<{ package: string; ok: boolean }> }).plugins.map((p) => p.package);
};

describe("plugin names: short name, package name and path mean the same plugin", () => {
  test("list --include", async () => {
    expect(await listed(["--include", "template"])).toEqual(["@flyte-agent/template"]);
    expect(await listed(["--include", "@flyte-agent/template"])).toEqual(["@flyte-agent/template"]);
    expect(await listed(["--include", TEMPLATE_DIR])).toEqual(["@flyte-agent/template"]);
    const relative = await runToEnd(["list", "--json", "--include", "../template"], { cwd: resolve(__dirname, "..") });
    expect(JSON.parse(relative.stdout).plugins.map((p: { package: string }) => p.package)).toEqual(["@flyte-agent/template"]);
  });

  test("list --exclude with a short name", async () => {
    expect(await listed(["--exclude", "template"])).not.toContain("@flyte-agent/template");
  });

  test("serve --include with the short name serves the plugin", async () => {
    const p = startCli(["serve", ...ISOLATED, "--include", "template"]);
    try {
      await p.waitFor(/serving 2 agent\(s\)/);
    } finally {
      p.child.kill("SIGTERM");
      await p.exited;
    }
  });
});

describe("serve refuses to serve nothing", () => {
  test("an included plugin that is not installed: exit 1, named, with the installed ones", async () => {
    const r = await runToEnd(["serve", ...ISOLATED, "--include", "@flyte-agent/nope"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("flyte-agent serve: not starting: @flyte-agent/nope:");
    expect(r.stderr).toMatch(/installed plugins: .*@flyte-agent\/template/);
    expect(r.stdout + r.stderr).not.toContain("serving");
  });

  test("a short name that is not installed suggests the closest one", async () => {
    const r = await runToEnd(["serve", ...ISOLATED, "--include", "templat"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("(did you mean template?)");
  });

  test("no agent at all (the only plugin failed to load): exit 1", async () => {
    const broken = join(tempDir(), "broken.cjs");
    writeFileSync(broken, 'throw new Error("boom");\n');
    const r = await runToEnd(["serve", ...ISOLATED, "--include", broken]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("no agent would be served");
  });

  test("--allow-empty keeps the old behaviour", async () => {
    const p = startCli(["serve", ...ISOLATED, "--include", "@flyte-agent/nope", "--allow-empty"]);
    try {
      await p.waitFor(/serving 0 agent\(s\)/);
    } finally {
      p.child.kill("SIGTERM");
      await p.exited;
    }
  });
});

describe("durations need a unit on the command line", () => {
  test("serve --drain-timeout 10 is a usage error suggesting 10s", async () => {
    const r = await runToEnd(["serve", ...ISOLATED, "--include", "template", "--drain-timeout", "10"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--drain-timeout 10: a duration needs a unit; write 10s");
    const eq = await runToEnd(["serve", ...ISOLATED, "--include", "template", "--shutdown-delay=5"]);
    expect(eq.code).toBe(2);
    expect(eq.stderr).toContain("write 5s");
  });

  test("run -t 10 and -t10 are usage errors", async () => {
    const template = writeJson(tempDir(), "t.json", { type: "custom_task" });
    const r = await runToEnd(["run", template, "-t", "10"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--timeout 10: a duration needs a unit; write 10s");
    const joined = await runToEnd(["run", template, "-t10"]);
    expect(joined.code).toBe(2);
    expect(joined.stderr).toContain("write 10s");
  });

  test("the environment keeps bare milliseconds", async () => {
    const p = startCli(["serve", ...ISOLATED, "--include", "template"], { FLYTE_AGENT_DRAIN_TIMEOUT: "10" });
    try {
      await p.waitFor(/serving 2 agent\(s\)/);
    } finally {
      p.child.kill("SIGTERM");
      await p.exited;
    }
  });
});

test("a flag error prints its line and where the help is, not the whole help", async () => {
  const r = await runToEnd(["serve", "--port", "abc"]);
  expect(r.code).toBe(2);
  expect(r.stderr).toContain("option '-p, --port <port>' argument 'abc' is invalid");
  expect(r.stderr).toContain("(see flyte-agent serve --help)");
  expect(r.stderr).not.toContain("Usage:");
  expect(r.stderr.trim().split("\n").length).toBeLessThanOrEqual(2);
});

test("a port clash names the flag and how to turn metrics off", async () => {
  const busy = createServer();
  busy.listen(0, "127.0.0.1");
  await once(busy, "listening");
  const busyPort = String((busy.address() as AddressInfo).port);
  try {
    const metrics = await runToEnd([
      "serve",
      "--port",
      "0",
      "--host",
      "127.0.0.1",
      "--prometheus-port",
      busyPort,
      "--include",
      "template",
    ]);
    expect(metrics.code).toBe(1);
    expect(metrics.stderr).toContain(`the metrics port ${busyPort} (--prometheus-port`);
    expect(metrics.stderr).toContain("--prometheus-port -1");
    const grpcPort = await runToEnd([
      "serve",
      "--port",
      busyPort,
      "--host",
      "127.0.0.1",
      "--prometheus-port",
      "-1",
      "--include",
      "template",
    ]);
    expect(grpcPort.code).toBe(1);
    expect(grpcPort.stderr).toContain(`the gRPC port ${busyPort} (--port`);
  } finally {
    busy.close();
  }
});

describe("new outside a workspace", () => {
  test("suggests --standalone and npm create flyte-agent, creates nothing", async () => {
    const outside = tempDir();
    const r = await runToEnd(["new", "team-jobs"], { cwd: outside });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("flyte-agent new team-jobs --standalone");
    expect(r.stderr).toContain("npm create flyte-agent@latest team-jobs");
    expect(execFileSync("ls", ["-A", outside], { encoding: "utf8" })).toBe("");
  });
});
