import { BUNDLED_PLUGINS, findBundledPlugin } from "../src/plugins";

interface LoadedAgent {
  category: { name: string; version: number };
}

describe("BUNDLED_PLUGINS", () => {
  it.each(BUNDLED_PLUGINS.map((p) => [p.packageName, p] as const))(
    "%s: the table lists the task types its agents really serve",
    (name, entry) => {
      const plugin = (require(name) as { default: { agents: LoadedAgent[] } }).default;
      const served = plugin.agents.map((a) => a.category.name).sort();
      expect([...entry.taskTypes].sort()).toEqual(served);
      expect(plugin.agents.every((a) => a.category.version === 0)).toBe(true);
    },
  );

  it("every bundled package is an optional peer and a workspace dev dependency of the bundle", () => {
    const manifest = require("../package.json") as {
      peerDependencies: Record<string, string>;
      peerDependenciesMeta: Record<string, { optional?: boolean }>;
      devDependencies: Record<string, string>;
    };
    const names = BUNDLED_PLUGINS.map((p) => p.packageName).sort();
    expect(Object.keys(manifest.peerDependencies).sort()).toEqual(names);
    for (const n of names) {
      expect(manifest.peerDependenciesMeta[n]?.optional).toBe(true);
      expect(manifest.devDependencies[n]).toBe("workspace:^");
    }
  });

  it("every bundled package is a workspace dev dependency of the repository root, so the quick start's `pnpm start` serves it", () => {
    const root = require("../../../package.json") as { devDependencies: Record<string, string> };
    for (const n of BUNDLED_PLUGINS.map((p) => p.packageName)) expect([n, root.devDependencies[n]]).toEqual([n, "workspace:*"]);
  });

  it("finds a plugin by alias or by package name", () => {
    expect(findBundledPlugin("bigquery")?.packageName).toBe("@flyte-agent/bigquery");
    expect(findBundledPlugin("@flyte-agent/template")?.alias).toBe("template");
    expect(findBundledPlugin("snowflake")?.packageName).toBe("@flyte-agent/snowflake");
    expect(findBundledPlugin("redshift")).toBeUndefined();
  });
});
