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
