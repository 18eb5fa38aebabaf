import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { alertsOf, PROMETHEUS_RULE_FILE, ruleGroupsOf } from "../src/rules";

const COMPONENT = join(__dirname, "..", "..", "..", "deploy", "monitoring", "component");
const load = (file: string) => parse(readFileSync(join(COMPONENT, file), "utf8"));

interface Relabeling {
  sourceLabels?: string[];
  regex?: string;
  replacement?: string;
  targetLabel: string;
}

test("the kustomize component lists its PodMonitor and the PrometheusRule, files that exist", () => {
  const kustomization = load("kustomization.yaml");
  expect(kustomization.kind).toBe("Component");
  expect(kustomization.resources.sort()).toEqual(["podmonitor.yaml", "prometheus-rules.yaml"]);
  for (const r of kustomization.resources as string[]) expect(existsSync(join(COMPONENT, r))).toBe(true);
});

test("the PodMonitor scrapes port 9090 of both our pods and the Helm chart's, under the job the alerts select", () => {
  const monitor = load("podmonitor.yaml");
  expect(monitor.kind).toBe("PodMonitor");
  expect(monitor.spec.selector.matchExpressions[0].values.sort()).toEqual(["flyte-agent", "flyteconnector"]);
  const endpoint = monitor.spec.podMetricsEndpoints[0];
  expect(endpoint.portNumber).toBe(8000); // the one port both Deployments declare
  const relabelings = endpoint.relabelings as Relabeling[];
  const address = relabelings.find((r) => r.targetLabel === "__address__") as Relabeling;
  // Prometheus anchors the regex and expands $1 in the replacement, as JavaScript's replace does here.
  const rewrite = (addr: string) => addr.replace(new RegExp(`^(?:${address.regex})$`), address.replacement ?? "");
  expect(address.sourceLabels).toEqual(["__address__"]);
  expect(rewrite("10.1.2.3:8000")).toBe("10.1.2.3:9090");
  expect(rewrite("[fd00::5]:8000")).toBe("[fd00::5]:9090");
  const job = relabelings.find((r) => r.targetLabel === "job")?.replacement;
  for (const alert of alertsOf(ruleGroupsOf(readFileSync(PROMETHEUS_RULE_FILE, "utf8")))) {
    expect(alert.expr).toContain(`job="${job}"`);
  }
});
