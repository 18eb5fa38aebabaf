/**
 * The example in examples/ (shown in the README) runs with `flyte-agent run` as documented:
 * the real CLI, this plugin found as an installed package and loaded in-process (from dist/).
 */
import { execFile } from "node:child_process";
import { join } from "node:path";

const root = join(__dirname, "..");
const cli = join(root, "node_modules", ".bin", "flyte-agent");

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cli, args, { cwd: root, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const example = "examples/custom-task.yaml";
const inProcess = ["--include", "@flyte-agent/template", "--poll-interval", "100ms", "--max-poll-interval", "300ms"];

test("examples/custom-task.yaml runs to SUCCEEDED and prints its inputs as outputs", async () => {
  const { code, stdout, stderr } = await run(["run", example, "-i", "n=7", "-i", "who=flyte", ...inProcess]);
  expect({ code, stderr }).toMatchObject({ code: 0 });
  expect(stderr).toContain("running custom_task@0 (async) in-process");
  expect(stderr).toMatch(/RUNNING[\s\S]*SUCCEEDED/);
  expect(JSON.parse(stdout)).toEqual({ n: 7, who: "flyte" });
});

test("the example's interface is enforced: a missing input is refused with exit code 2", async () => {
  const { code, stdout, stderr } = await run(["run", example, "-i", "n=7", ...inProcess]);
  expect(code).toBe(2);
  expect(stdout).toBe("");
  expect(stderr).toMatch(/who/);
});
