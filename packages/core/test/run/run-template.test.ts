/**
 * The acceptance check with the installed template plugin (@flyte-agent/template,
 * found by discovery like any installed plugin): its async `custom_task` in-process and against
 * a served endpoint, and `fail: true`.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { runCli, startCli, tempDir, writeJson, type CliProcess } from "./helpers/cli";

const TEMPLATE_PKG = resolve(__dirname, "../../../template");
const ONLY_TEMPLATE = ["--include", "@flyte-agent/template"];
const FAST = ["--poll-interval", "100ms", "--max-poll-interval", "300ms"];

const customTask = (custom: Record<string, unknown>) => ({
  type: "custom_task",
  interface: {
    inputs: { variables: { n: { type: { simple: "INTEGER" } }, who: { type: { simple: "STRING" } } } },
    outputs: { variables: { n: { type: { simple: "INTEGER" } }, who: { type: { simple: "STRING" } } } },
  },
  custom,
});

let dir: string;
let server: CliProcess;
let endpoint: string;

beforeAll(async () => {
  // A fresh clone may run these tests before the template package is built.
  if (!existsSync(resolve(TEMPLATE_PKG, "dist/index.js"))) {
    execFileSync("pnpm", ["--filter", "@flyte-agent/template", "build"], { stdio: "ignore" });
  }
  dir = tempDir();
  server = startCli(["serve", "--port", "0", "--host", "127.0.0.1", "--prometheus-port", "-1", ...ONLY_TEMPLATE]);
  const [, port] = await server.waitFor(/"port":(\d+)/);
  endpoint = `127.0.0.1:${port}`;
}, 60_000);
afterAll(async () => {
  server?.child.kill("SIGTERM");
  await server?.exited;
});

test.each([
  ["in-process", ONLY_TEMPLATE, "in-process"],
  ["against a served endpoint", [] as string[], "on 127.0.0.1:"],
])("custom_task runs %s: phases on stderr, outputs on stdout, exit 0", async (_name, where, shown) => {
  const template = writeJson(dir, "custom.json", customTask({ durationSeconds: 1.5 }));
  const target = where.length > 0 ? where : ["--endpoint", endpoint];
  const { code, stdout, stderr } = await runCli(["run", template, "-i", "n=7", "-i", "who=flyte", ...FAST, ...target]);
  expect({ code, stderr }).toMatchObject({ code: 0 });
  expect(stderr).toContain(`running custom_task@0 (async) ${shown}`);
  expect(stderr).toMatch(/RUNNING[\s\S]*SUCCEEDED/);
  expect(JSON.parse(stdout)).toEqual({ n: 7, who: "flyte" });
});

test("custom_task with fail: true exits 1 with the agent's message", async () => {
  const template = writeJson(dir, "fail.json", customTask({ durationSeconds: 0.2, fail: true }));
  const { code, stdout, stderr } = await runCli(["run", template, "-i", "n=1", "-i", "who=x", ...FAST, "--endpoint", endpoint]);
  expect(code).toBe(1);
  expect(stdout).toBe("");
  expect(stderr).toMatch(/flyte-agent run: task ended FAILED: .*custom\.fail/);
});

describe("custom keys the agent does not declare", () => {
  test("run refuses a typo with exit 2 and the key it meant, before anything runs", async () => {
    const template = writeJson(dir, "typo.json", customTask({ durationSecond: 30 }));
    const { code, stdout, stderr } = await runCli(["run", template, "-i", "n=1", "-i", "who=x", ...FAST, ...ONLY_TEMPLATE]);
    expect({ code, stdout }).toEqual({ code: 2, stdout: "" });
    expect(stderr).toContain('custom.durationSecond (did you mean "durationSeconds"?): not a key that "Custom Agent" reads');
    expect(stderr).toContain("--allow-unknown-custom");
    expect(stderr).not.toMatch(/RUNNING/);
  });

  test("--allow-unknown-custom turns it into a warning and runs", async () => {
    const template = writeJson(dir, "typo-allowed.json", customTask({ durationSeconds: 0.1, extra: 1 }));
    const args = ["run", template, "-i", "n=1", "-i", "who=x", "--allow-unknown-custom", ...FAST, ...ONLY_TEMPLATE];
    const { code, stdout, stderr } = await runCli(args);
    expect({ code, stderr }).toMatchObject({ code: 0 });
    expect(stderr).toContain("custom.extra: not a key");
    expect(JSON.parse(stdout)).toEqual({ n: 1, who: "x" });
  });

  test("serve runs the task and logs the unknown key once per task type", async () => {
    const template = writeJson(dir, "extra.json", customTask({ durationSeconds: 0.1, flytekitOnly: true }));
    for (let i = 0; i < 2; i++) {
      const { code } = await runCli(["run", template, "-i", "n=1", "-i", "who=x", ...FAST, "--endpoint", endpoint]);
      expect(code).toBe(0);
    }
    const logged = `${server.stdout}${server.stderr}`.match(
      /custom has key\(s\) its agent does not declare, ignored: custom\.flytekitOnly/g,
    );
    expect(logged).toHaveLength(1);
  });
});
