import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type Agent, CHART_KEYS, type HelmChart, helmValues } from "@flyte-agent/core";
import { BUNDLED_PLUGINS } from "../src/plugins";

const README = readFileSync(join(__dirname, "..", "..", "..", "deploy", "helm", "README.md"), "utf8");

/** The agents of the bundled plugins (the default image's PLUGINS), or of the ones included. */
function agents(include?: string): Agent[] {
  return BUNDLED_PLUGINS.filter((p) => include === undefined || p.packageName === include).flatMap(
    (p) => (require(p.packageName) as { default: { agents: Agent[] } }).default.agents,
  );
}

const blocks = [...README.matchAll(/<!-- helm-values: (.+?) -->\n```yaml\n([\s\S]*?)```/g)].map((m) => ({
  args: m[1] as string,
  text: m[2] as string,
}));

test("deploy/helm/README.md shows the values for flyte-core, flyte-binary, Flyte 2's flyte-binary and beside the Python connector", () => {
  expect(blocks.map((b) => b.args)).toEqual([
    "--chart flyte-core --image registry.example.com/flyte-agent:0.1.0",
    "--chart flyte-binary --image registry.example.com/flyte-agent:0.1.0",
    "--chart flyte-binary --flyte 2 --image registry.example.com/flyte-agent:0.1.0",
    "--chart flyte-core --deployment-name flyte-agent --include @flyte-agent/databricks",
  ]);
});

test.each(blocks.map((b) => [b.args, b] as const))("the README's block for %s is what the command prints", (_args, block) => {
  const words = block.args.split(" ");
  const flag = (name: string) => {
    const i = words.indexOf(name);
    return i >= 0 ? words[i + 1] : undefined;
  };
  const printed = helmValues(agents(flag("--include")), {
    chart: flag("--chart") as HelmChart,
    flyte: flag("--flyte") === "2" ? 2 : 1,
    image: flag("--image"),
    deploymentName: flag("--deployment-name"),
  });
  expect(block.text).toBe(printed);
});

test("the README lists every chart key the values use, with the file that reads it", () => {
  for (const [chart, keys] of Object.entries(CHART_KEYS)) {
    const name = chart.replace("@1", " (Flyte 1)").replace("@2", " (Flyte 2)");
    for (const k of keys) expect(README).toContain(`| ${name} | \`${k.path}\` | ${k.source} |`);
  }
  expect(README).toContain("k8s://flyteconnector.flyte:8000");
  expect(README).toContain("dns:///flyte-agent.flyte.svc.cluster.local:8000");
});
