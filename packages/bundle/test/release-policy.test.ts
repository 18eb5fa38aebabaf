import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(__dirname, "..", "..", "..");
interface Manifest {
  name: string;
  private?: boolean;
  flyteAgent?: unknown;
  peerDependencies?: Record<string, string>;
  publishConfig?: { access?: string; provenance?: boolean };
  exports?: Record<string, unknown>;
  engines?: { node?: string };
}
const manifests: Manifest[] = readdirSync(join(ROOT, "packages")).map(
  (dir) => JSON.parse(readFileSync(join(ROOT, "packages", dir, "package.json"), "utf8")) as Manifest,
);
const published = manifests.filter((m) => !m.private);
const config = JSON.parse(readFileSync(join(ROOT, ".changeset", "config.json"), "utf8")) as { fixed: string[][] };

describe("the versioning policy (README: Releasing)", () => {
  it("puts every published package in one fixed changesets group", () => {
    expect(config.fixed).toHaveLength(1);
    expect([...(config.fixed[0] ?? [])].sort()).toEqual(published.map((m) => m.name).sort());
  });

  it("has every plugin take core as a workspace:^ peer, published as ^<the same version>", () => {
    const plugins = published.filter((m) => m.flyteAgent !== undefined);
    expect(plugins.map((m) => m.name).sort()).toEqual([
      "@flyte-agent/bigquery",
      "@flyte-agent/databricks",
      "@flyte-agent/openai",
      "@flyte-agent/sagemaker",
      "@flyte-agent/sensor",
      "@flyte-agent/snowflake",
      "@flyte-agent/template",
      "@flyte-agent/webhook",
    ]);
    for (const plugin of plugins)
      expect([plugin.name, plugin.peerDependencies?.["@flyte-agent/core"]]).toEqual([plugin.name, "workspace:^"]);
  });

  it("publishes every package publicly with provenance, an exports map and engines", () => {
    for (const m of published) {
      expect([m.name, m.publishConfig]).toEqual([m.name, { access: "public", provenance: true }]);
      expect([m.name, typeof m.exports?.["."]]).toEqual([m.name, "object"]);
      expect([m.name, m.engines?.node]).toEqual([m.name, ">=22"]);
    }
  });
});
