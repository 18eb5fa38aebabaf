import { readFileSync } from "node:fs";
import { join } from "node:path";
import { alertsOf, PROMETHEUS_RULE_FILE, ruleGroupsOf, shortenedForTest } from "../src/rules";

const README = join(__dirname, "..", "..", "..", "deploy", "monitoring", "README.md");
const groups = ruleGroupsOf(readFileSync(PROMETHEUS_RULE_FILE, "utf8"));

test("the PrometheusRule has the alerts operators asked for", () => {
  expect(alertsOf(groups).map((a) => a.alert)).toEqual([
    "FlyteAgentNotServing",
    "FlyteAgentErrorRatioHigh",
    "FlyteAgentLatencyHigh",
    "FlyteAgentRestarting",
    "FlyteAgentExternalCredentialsRefused",
    "FlyteAgentExternalThrottled",
    "FlyteAgentLogLinesDropped",
  ]);
});

test("every alert's runbook_url names a section of deploy/monitoring/README.md with a paragraph", () => {
  const readme = readFileSync(README, "utf8");
  for (const alert of alertsOf(groups)) {
    const name = alert.alert as string;
    const url = alert.annotations?.runbook_url ?? "";
    expect(url.endsWith(`deploy/monitoring/README.md#${name.toLowerCase()}`)).toBe(true);
    const section = new RegExp(`^### ${name}\\n\\n(.+)`, "m").exec(readme);
    expect({ name, runbook: (section?.[1] ?? "").length > 80 }).toEqual({ name, runbook: true });
  }
});

test("the test-only rules keep every expression and shorten only for: and the interval", () => {
  const short = shortenedForTest(groups, "5s", "1s");
  expect(short.groups.every((g) => g.interval === "1s")).toBe(true);
  expect(alertsOf(short).map((a) => a.for)).toEqual(alertsOf(groups).map(() => "5s"));
  expect(alertsOf(short).map((a) => a.expr)).toEqual(alertsOf(groups).map((a) => a.expr));
  expect(() => ruleGroupsOf("kind: ConfigMap\n")).toThrow("not a PrometheusRule");
});
