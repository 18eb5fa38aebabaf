import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeRuleFile } from "../src/rules";

const TESTS = join(__dirname, "..", "..", "..", "deploy", "monitoring", "tests", "alerts.test.yaml");
const promtool = spawnSync("promtool", ["--version"], { encoding: "utf8" });
const available = promtool.status === 0;
// Without promtool (Debian's `prometheus` package) these are reported as skipped, not passed.
const withPromtool = available ? it : it.skip;

describe(`promtool (${available ? promtool.stdout.split("\n")[0] : "not installed: skipped"})`, () => {
  const dir = mkdtempSync(join(tmpdir(), "flyte-agent-promtool-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  withPromtool("check rules accepts the PrometheusRule's groups", () => {
    writeRuleFile(join(dir, "rules.yaml"));
    const run = spawnSync("promtool", ["check", "rules", join(dir, "rules.yaml")], { encoding: "utf8" });
    expect(run.stdout + run.stderr).toContain("SUCCESS: 7 rules found");
    expect(run.status).toBe(0);
  });

  withPromtool("test rules: every alert fires on its input series, and only then", () => {
    writeRuleFile(join(dir, "rules.yaml"));
    copyFileSync(TESTS, join(dir, "alerts.test.yaml"));
    const run = spawnSync("promtool", ["test", "rules", join(dir, "alerts.test.yaml")], { encoding: "utf8" });
    expect({ status: run.status, output: run.stdout + run.stderr }).toEqual({
      status: 0,
      output: expect.stringContaining("SUCCESS"),
    });
  });

  it("the promtool tests cover every alert (with or without promtool)", () => {
    const tests = require("node:fs").readFileSync(TESTS, "utf8") as string;
    for (const name of [
      "FlyteAgentNotServing",
      "FlyteAgentErrorRatioHigh",
      "FlyteAgentLatencyHigh",
      "FlyteAgentRestarting",
      "FlyteAgentExternalCredentialsRefused",
      "FlyteAgentExternalThrottled",
      "FlyteAgentLogLinesDropped",
    ]) {
      expect(tests).toContain(`alertname: ${name}\n        exp_alerts:\n          - exp_labels:`);
    }
  });
});
