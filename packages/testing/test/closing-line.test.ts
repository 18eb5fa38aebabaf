import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

// The closing lines of the test runs: tests/system/run-all.sh ("system: N passed, M failed,
// K skipped", skip = exit code 77) and .ci/summarize.mjs ("total: ..." over a whole CI log).

const ROOT = resolve(__dirname, "..", "..", "..");
const RUN_ALL = join(ROOT, "tests", "system", "run-all.sh");
const SUMMARIZE = join(ROOT, ".ci", "summarize.mjs");

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "closing-line-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes a system-test script that prints `say` and exits with `code`; returns its path. */
function systemTest(name: string, code: number, say = ""): string {
  const path = join(dir, `${name}.test.sh`);
  writeFileSync(path, `echo ${JSON.stringify(say)}\nexit ${code}\n`);
  return path;
}

/** Runs a command to completion and returns its exit code and output. */
function run(command: string, args: string[]): { code: number | null; stdout: string } {
  const result = spawnSync(command, args, { encoding: "utf8" });
  if (result.error) throw result.error;
  return { code: result.status, stdout: result.stdout };
}

/** The last non-empty line of `text`. */
const lastLine = (text: string): string => text.trim().split("\n").at(-1) ?? "";

describe("tests/system/run-all.sh", () => {
  test("counts exit code 77 as skipped, not passed, and still exits 0", () => {
    const ok = systemTest("ok", 0);
    const skip = systemTest("skip", 77, "SKIPPED: no container runtime");
    const { code, stdout } = run("bash", [RUN_ALL, ok, skip]);
    expect(stdout).toContain("SKIPPED: no container runtime");
    expect(stdout).toContain(`SKIPPED: ${skip}`);
    expect(lastLine(stdout)).toBe("system: 1 passed, 0 failed, 1 skipped");
    expect(code).toBe(0);
  });

  test("any other non-zero exit code is a failure and fails the run", () => {
    const ok = systemTest("ok2", 0);
    const bad = systemTest("bad", 3);
    const skip = systemTest("skip2", 77);
    const { code, stdout } = run("bash", [RUN_ALL, ok, bad, skip]);
    expect(stdout).toContain(`FAILED: ${bad} (exit code 3)`);
    expect(lastLine(stdout)).toBe("system: 1 passed, 1 failed, 1 skipped");
    expect(code).toBe(1);
  });
});

describe(".ci/summarize.mjs", () => {
  /** Summarises a CI log with the given overall exit status. */
  function summarize(log: string, status: string): string {
    const path = join(dir, `ci-${status}-${log.length}.log`);
    writeFileSync(path, log);
    const { code, stdout } = run(process.execPath, [SUMMARIZE, path, status]);
    expect(code).toBe(0);
    return stdout.trim();
  }

  test("adds jest's passed, failed, skipped and todo counts to the system line", () => {
    const log = [
      "@flyte-agent/core:test: Tests:       1 failed, 2 skipped, 10 passed, 13 total",
      "@flyte-agent/testing:test: Tests:       1 todo, 5 passed, 6 total",
      "system: 3 passed, 0 failed, 1 skipped",
    ].join("\n");
    expect(summarize(log, "1")).toBe("total: 18 passed, 1 failed, 4 skipped");
  });

  test("reads jest lines with colour codes and a system line without a skipped count", () => {
    const esc = String.fromCharCode(27);
    const log = `x:test: ${esc}[1mTests:${esc}[22m       ${esc}[32m4 passed${esc}[39m, 4 total\nsystem: 2 passed, 0 failed\n`;
    expect(summarize(log, "0")).toBe("total: 6 passed, 0 failed, 0 skipped");
  });

  test("a failed step outside any test runner counts as one failure", () => {
    expect(summarize("build failed\n", "2")).toBe("total: 0 passed, 1 failed, 0 skipped");
  });
});
