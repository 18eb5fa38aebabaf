import { execFile } from "node:child_process";
import { join } from "node:path";

interface JestJson {
  testResults: Array<{ assertionResults: Array<{ title: string; status: string; failureMessages: string[] }> }>;
}

/** Runs jest on a fixture file in a child process and returns its per-test results. */
function runFixture(file: string, env: NodeJS.ProcessEnv = {}): Promise<JestJson> {
  const preset = require("../../../jest.preset.js") as Record<string, unknown>;
  const config = { ...preset, rootDir: join(__dirname, ".."), roots: [join(__dirname, "fixtures")], testMatch: [`**/${file}`] };
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [require.resolve("jest/bin/jest"), "--config", JSON.stringify(config), "--json", "--silent"],
      { cwd: join(__dirname, ".."), maxBuffer: 16 * 1024 * 1024, env: { ...process.env, ...env } },
      (err, stdout) => {
        try {
          resolve(JSON.parse(stdout) as JestJson);
        } catch {
          reject(err ?? new Error(`jest printed no JSON: ${stdout.slice(0, 500)}`));
        }
      },
    );
  });
}

// A whole jest run in a child process (start-up, ts-jest, servers): on a busy machine that takes
// far longer than the default 30 s, so this file gets a generous limit of its own.
jest.setTimeout(180_000);

test("checkConformance fails exactly the rules a misbehaving agent breaks", async () => {
  const report = await runFixture("misbehaving.conformance.ts");
  const results = report.testResults.flatMap((r) => r.assertionResults);
  const status = Object.fromEntries(results.map((r) => [r.title, r.status]));
  expect(status).toEqual({
    "ListAgents lists every agent with its category": "passed",
    "sloppy: runs to the expected terminal phase, every reply with a phase and the matching state": "passed",
    "sloppy: async: resource_meta is under 1 KiB and another server answers GetTask from it alone": "failed",
    "sloppy: async: DeleteTask answers OK on a finished job, twice": "failed",
    "sloppy: async: a repeated CreateTask for the same attempt succeeds": "failed",
    "sloppy: async: ExecuteTaskSync fails with an error status": "passed",
    // Rules that do not apply are skipped ("pending" in jest's report), never reported as passed.
    "sloppy: sync: ExecuteTaskSync answers with exactly one terminal header [does not apply: the case's agent is async]":
      "pending",
    "sloppy: async: DeleteTask answers OK for a job that was never created [does not apply: the case has no unknownResourceMeta]":
      "pending",
    "sloppy: no secret value appears in resource_meta, messages or errors": "failed",
  });
  const message = (title: string) => results.find((r) => r.title.endsWith(title))?.failureMessages.join("\n") ?? "";
  expect(message("under 1 KiB and another server answers GetTask from it alone")).toMatch(/keep it under 1 KiB/);
  expect(message("DeleteTask answers OK on a finished job, twice")).toMatch(/job already finished/);
  expect(message("no secret value appears in resource_meta, messages or errors")).toMatch(
    /resource_meta contains a secret value/,
  );
  expect(message("no secret value appears in resource_meta, messages or errors")).not.toMatch(/hunter2/);
});

test("checkConformance over v2 fails the same rules for the same agent", async () => {
  const report = await runFixture("misbehaving.conformance.ts", { CONFORMANCE_PROTOCOLS: "v2" });
  const results = report.testResults.flatMap((r) => r.assertionResults);
  const status = Object.fromEntries(results.map((r) => [r.title, r.status]));
  expect(status).toEqual({
    "[v2] ListConnectors lists every async agent with its category": "passed",
    "[v2] sloppy: runs to the expected terminal phase, every reply with a phase": "passed",
    "[v2] sloppy: async: resource_meta is under 1 KiB and another server answers GetTask from it alone": "failed",
    "[v2] sloppy: async: DeleteTask answers OK on a finished job, twice": "failed",
    "[v2] sloppy: async: a repeated CreateTask for the same attempt succeeds": "failed",
    "[v2] sloppy: sync: runs through CreateTask, or is refused with FAILED_PRECONDITION and not listed [does not apply: the case's agent is async]":
      "pending",
    "[v2] sloppy: async: DeleteTask answers OK for a job that was never created [does not apply: the case has no unknownResourceMeta]":
      "pending",
    "[v2] sloppy: no secret value appears in resource_meta, messages or errors": "failed",
  });
  const message = (title: string) => results.find((r) => r.title.endsWith(title))?.failureMessages.join("\n") ?? "";
  expect(message("DeleteTask answers OK on a finished job, twice")).toMatch(/job already finished/);
  expect(message("no secret value appears in resource_meta, messages or errors")).toMatch(
    /resource_meta contains a secret value/,
  );
});
