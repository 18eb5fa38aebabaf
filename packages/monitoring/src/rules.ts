import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";

/** The PrometheusRule of the service (deploy/monitoring/component/prometheus-rules.yaml). */
export const PROMETHEUS_RULE_FILE = join(
  __dirname,
  "..",
  "..",
  "..",
  "deploy",
  "monitoring",
  "component",
  "prometheus-rules.yaml",
);

/** One rule of a group, as Prometheus reads it. */
export interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** The rule groups, as a Prometheus rule file holds them. */
export interface RuleGroups {
  groups: { name: string; interval?: string; rules: Rule[] }[];
}

/**
 * The rule groups of a PrometheusRule manifest (its `spec`), which is what a plain Prometheus
 * rule file holds and what promtool reads.
 * @throws Error when the text is not a PrometheusRule
 */
export function ruleGroupsOf(manifestText: string): RuleGroups {
  const manifest = parse(manifestText) as { kind?: string; spec?: RuleGroups };
  if (manifest?.kind !== "PrometheusRule" || !Array.isArray(manifest.spec?.groups)) {
    throw new Error("not a PrometheusRule with spec.groups");
  }
  return { groups: manifest.spec.groups };
}

/**
 * The same groups for a test: every `for:` becomes `forDuration` and each group is evaluated
 * every `interval`, so an alert fires within seconds of its condition.
 */
export function shortenedForTest(groups: RuleGroups, forDuration: string, interval: string): RuleGroups {
  return {
    groups: groups.groups.map((g) => ({
      ...g,
      interval,
      rules: g.rules.map((r) => (r.alert !== undefined ? { ...r, for: forDuration } : r)),
    })),
  };
}

/** The alerts of the groups, in order. */
export function alertsOf(groups: RuleGroups): Rule[] {
  return groups.groups.flatMap((g) => g.rules.filter((r) => r.alert !== undefined));
}

/** Writes a plain rule file from the PrometheusRule; `test` shortens `for:` (see {@link shortenedForTest}). */
export function writeRuleFile(out: string, test?: { for: string; interval: string }): void {
  let groups = ruleGroupsOf(readFileSync(PROMETHEUS_RULE_FILE, "utf8"));
  if (test) groups = shortenedForTest(groups, test.for, test.interval);
  writeFileSync(out, stringify(groups, { lineWidth: 0 }));
}

// node dist/rules.js OUT [--test-for 5s --test-interval 1s]: used by the system tests.
if (require.main === module) {
  const [out, ...rest] = process.argv.slice(2);
  if (!out) {
    process.stderr.write("usage: node dist/rules.js OUT [--test-for DURATION --test-interval DURATION]\n");
    process.exit(2);
  }
  const flag = (name: string) => {
    const i = rest.indexOf(name);
    return i >= 0 ? rest[i + 1] : undefined;
  };
  const forDuration = flag("--test-for");
  writeRuleFile(out, forDuration ? { for: forDuration, interval: flag("--test-interval") ?? "1s" } : undefined);
}
