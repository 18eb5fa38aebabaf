/** runFlyteAgentCli: core's CLI in a child process, with its exit code, its output and both bounds. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { flyteAgentBin, runFlyteAgentCli } from "../src";

const CORE_VERSION = (JSON.parse(readFileSync(join(flyteAgentBin(), "..", "..", "package.json"), "utf8")) as { version: string })
  .version;

test("resolves with the exit code and what the command printed", async () => {
  const ok = await runFlyteAgentCli(["--version"]);
  expect(ok.code).toBe(0);
  expect(ok.stdout).toContain(CORE_VERSION);

  const refused = await runFlyteAgentCli(["no-such-command"]);
  expect(refused.code).not.toBe(0);
  expect(refused.stderr).toMatch(/no-such-command/);
});

test("passes the extra environment variables to the command", async () => {
  const args = ["serve", "--host", "127.0.0.1", "--port", "0", "--prometheus-port", "-1"];
  const refused = await runFlyteAgentCli(args, { env: { FLYTE_AGENT_INCLUDE: "no-such-plugin-4711" } });
  expect(refused.code).toBe(1);
  expect(refused.stderr).toContain("no-such-plugin-4711");
});

test("keeps at most maxOutputChars of each stream", async () => {
  const full = await runFlyteAgentCli(["--help"]);
  expect(full.stdout.length).toBeGreaterThan(50);
  const cut = await runFlyteAgentCli(["--help"], { maxOutputChars: 50 });
  expect(cut.stdout).toBe(full.stdout.slice(0, 50));
});

test("kills a command that runs past timeoutMs and rejects with its output", async () => {
  const run = runFlyteAgentCli(["serve", "--host", "127.0.0.1", "--port", "0", "--prometheus-port", "-1", "--allow-empty"], {
    timeoutMs: 3_000,
  });
  await expect(run).rejects.toThrow(/flyte-agent serve .* ran longer than 3000 ms/);
});
