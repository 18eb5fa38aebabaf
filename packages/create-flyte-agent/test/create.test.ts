/**
 * `create-flyte-agent` as npm runs it: the built bin in an empty directory outside any
 * workspace, with the template package it depends on.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const BIN = join(__dirname, "..", "bin", "create-flyte-agent.js");

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}
const run = (cwd: string, args: string[]) =>
  new Promise<Ran>((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd }, (err, stdout, stderr) =>
      resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
    );
  });

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), "create-flyte-agent-"));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

test("creates a standalone CommonJS project in ./<name>", async () => {
  const r = await run(scratch, ["team-jobs"]);
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
  const dir = join(scratch, "team-jobs");
  const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  expect(pkg).toMatchObject({ name: "team-jobs", type: "commonjs", flyteAgent: { plugin: "./dist/index.js" } });
  expect(pkg.devDependencies["@flyte-agent/core"]).toMatch(/^\^\d+\.\d+\.\d+/);
  expect(JSON.stringify(pkg)).not.toContain("workspace:");
  expect(readFileSync(join(dir, "README.md"), "utf8")).toMatch(/^# team-jobs\n/);
  expect(existsSync(join(dir, "src", "agent.ts"))).toBe(true);
  expect(existsSync(join(dir, "examples", "team-jobs-task.yaml"))).toBe(true);
  expect(r.stdout).toContain("npm install");
});

test("--esm makes an ES module project; --dir chooses the directory", async () => {
  const r = await run(scratch, ["team-esm", "--esm", "--dir", "elsewhere"]);
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
  const pkg = JSON.parse(readFileSync(join(scratch, "elsewhere", "package.json"), "utf8"));
  expect(pkg).toMatchObject({ name: "team-esm", type: "module" });
});

test("a missing name, an unknown option or a bad name is refused with exit 2", async () => {
  const none = await run(scratch, []);
  expect(none.code).toBe(2);
  expect(none.stderr).toContain("the project needs a name");
  expect(none.stderr).toContain("npm create flyte-agent@latest <name>");
  const unknown = await run(scratch, ["x-y", "--typescript"]);
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toContain("unknown option --typescript");
  const bad = await run(scratch, ["Bad_Name"]);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain("must be lower-case");
  expect(existsSync(join(scratch, "Bad_Name"))).toBe(false);
});

test("an existing directory is not overwritten", async () => {
  const r = await run(scratch, ["team-jobs"]);
  expect(r.code).toBe(1);
  expect(r.stderr).toContain("already exists");
});

test("--help prints the usage", async () => {
  const r = await run(scratch, ["--help"]);
  expect(r.code).toBe(0);
  expect(r.stdout).toContain("npm create flyte-agent@latest <name> [-- --esm]");
});

test("the README's option table lists exactly the options of the usage", () => {
  const { USAGE } = require("../src") as typeof import("../src");
  const readme = readFileSync(join(__dirname, "..", "README.md"), "utf8");
  const rows = readme.split("\n").filter((l) => /^\| `/.test(l));
  const documented = rows.flatMap((r) => [...(r.split("|")[1] ?? "").matchAll(/`(-{1,2}[a-z-]+)/g)].map((m) => m[1]));
  const inUsage = [...USAGE.matchAll(/^\s+((?:-{1,2}[a-z-]+(?:, )?)+)/gm)].flatMap((m) => (m[1] ?? "").split(", "));
  expect(documented.sort()).toEqual(inUsage.sort());
});
