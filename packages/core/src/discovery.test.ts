import { join } from "node:path";
import { FixtureProject, pluginSource } from "../test/fixtures/plugin-packages";
import { coreIncompatibility, findPluginPackages, loadPackages, nodeModulesChain } from "./discovery";
import { buildRegistry, discoverPlugins } from "./load-plugins";
import { ConfigurationError } from "./errors";
import { CORE_VERSION } from "./version";

let project: FixtureProject;
beforeEach(() => {
  project = new FixtureProject();
});
afterEach(() => project.remove());

/** Discovery restricted to the fixture project (not the workspace's own plugins). */
const discover = (extra: Parameters<typeof discoverPlugins>[0] = {}) =>
  discoverPlugins({
    cwd: project.dir,
    nodeModules: [project.nodeModules],
    include: undefined,
    exclude: [],
    modules: [],
    ...extra,
  });
const registryOf = (extra: Parameters<typeof buildRegistry>[0] = {}) =>
  buildRegistry({ cwd: project.dir, nodeModules: [project.nodeModules], exclude: [], modules: [], ...extra });

describe("findPluginPackages", () => {
  it("finds marked packages, scoped or not, and skips unmarked ones", async () => {
    project.add({ name: "plain-plugin", agents: [] });
    project.add({ name: "@team/scoped-plugin", agents: [] });
    project.add({ name: "not-a-plugin", entry: null });
    project.add({ name: "@team/library", entry: null });
    const names = findPluginPackages([project.nodeModules]).map((p) => p.name);
    expect(names.sort()).toEqual(["@team/scoped-plugin", "plain-plugin"]);
  });

  it("takes the first occurrence along the node_modules chain, as Node resolves", async () => {
    const nested = join(project.dir, "app", "node_modules");
    project.add({ name: "dup-plugin", version: "2.0.0" }, nested);
    project.add({ name: "dup-plugin", version: "1.0.0" });
    const chain = nodeModulesChain(join(project.dir, "app"));
    expect(chain.slice(0, 2)).toEqual([nested, project.nodeModules]);
    const found = findPluginPackages(chain).filter((p) => p.name === "dup-plugin");
    expect(found).toHaveLength(1);
    expect(found[0]?.version).toBe("2.0.0");
  });
});

describe("coreIncompatibility", () => {
  it.each([
    ["1.2.0", "1.9.3"],
    ["0.4.1", "0.4.7"],
    ["2.0.0-rc.1", "2.3.0"],
  ])("accepts a plugin for core %s on core %s", (plugin, server) => {
    expect(coreIncompatibility(plugin, server)).toBeUndefined();
  });

  it.each([
    ["1.2.0", "2.0.0", "needs 2.x"],
    ["0.3.0", "0.4.0", "needs 0.4.x"],
    ["1.0.0", "0.9.0", "needs 0.9.x"],
  ])("refuses a plugin for core %s on core %s", (plugin, server, hint) => {
    const reason = coreIncompatibility(plugin, server);
    expect(reason).toContain(`built for @flyte-agent/core ${plugin}`);
    expect(reason).toContain(`this server runs ${server}`);
    expect(reason).toContain(hint);
  });

  it("refuses a plugin that does not say which core it was built with", async () => {
    expect(coreIncompatibility(undefined, "1.0.0")).toMatch(/does not say which @flyte-agent\/core/);
    expect(coreIncompatibility("latest", "1.0.0")).toMatch(/not a semver version/);
  });
});

describe("loading plugins", () => {
  it("loads good packages and reports each broken one by name with its reason", async () => {
    project.add({ name: "good-plugin", agents: [{ name: "Good", category: "good" }] });
    project.add({ name: "untagged-plugin", source: "module.exports = { default: { agents: [] } };\n" });
    project.add({ name: "throwing-plugin", source: "throw new Error('cannot reach the license server\\nstack here');\n" });
    project.add({ name: "old-plugin", coreVersion: "99.0.0", agents: [{ name: "Old", category: "old" }] });
    project.add({ name: "escaping-plugin", entry: "../../outside.js" });

    const { loaded, problems } = await discover();
    expect(loaded.filter((p) => p.ok).map((p) => p.name)).toEqual(["good-plugin"]);
    const reasons = Object.fromEntries(problems.map((p) => [p.name, p.ok ? "" : p.error]));
    expect(Object.keys(reasons).sort()).toEqual(["escaping-plugin", "old-plugin", "throwing-plugin", "untagged-plugin"]);
    expect(reasons["untagged-plugin"]).toMatch(/default export is not a plugin/);
    expect(reasons["throwing-plugin"]).toBe("cannot reach the license server");
    expect(reasons["old-plugin"]).toContain(`built for @flyte-agent/core 99.0.0, but this server runs ${CORE_VERSION}`);
    expect(reasons["escaping-plugin"]).toMatch(/points outside the package/);

    const { registry } = await registryOf();
    expect(registry.entries().map((e) => [e.agent.name, e.source])).toEqual([["Good", "good-plugin@1.0.0"]]);
  });

  it("reports a plugin whose own agents are invalid, and still serves the others", async () => {
    project.add({ name: "bad-category", agents: [{ name: "Nameless", category: "" }] });
    project.add({
      name: "self-conflict",
      agents: [
        { name: "One", category: "same" },
        { name: "Two", category: "same" },
      ],
    });
    project.add({ name: "fine", agents: [{ name: "Fine", category: "fine", version: 2, kind: "sync" }] });
    const { registry, problems } = await registryOf();
    expect(problems.map((p) => p.name).sort()).toEqual(["bad-category", "self-conflict"]);
    expect(problems.find((p) => p.name === "bad-category")?.error).toMatch(/no task category name/);
    expect(registry.entries().map((e) => `${e.agent.category.name}@${e.agent.category.version}:${e.agent.kind}`)).toEqual([
      "fine@2:sync",
    ]);
  });

  it("refuses two plugins claiming one category with an error naming both packages", async () => {
    project.add({ name: "@team/first", version: "1.1.0", agents: [{ name: "First", category: "shared_task" }] });
    project.add({ name: "@team/second", version: "2.2.0", agents: [{ name: "Second", category: "shared_task" }] });
    await expect(registryOf()).rejects.toThrow(ConfigurationError);
    await expect(registryOf()).rejects.toThrow(/shared_task@0 is claimed twice.*@team\/first@1\.1\.0.*@team\/second@2\.2\.0/);
  });

  it("the same category name in two versions is no conflict", async () => {
    project.add({ name: "v1", agents: [{ name: "A", category: "t", version: 1 }] });
    project.add({ name: "v2", agents: [{ name: "A", category: "t", version: 2 }] });
    expect((await registryOf()).registry.size).toBe(2);
  });

  it("loadPackages keeps the discovery order and one result per package", async () => {
    project.add({ name: "a-plugin", agents: [] });
    project.add({ name: "b-plugin", source: "throw new Error('x');" });
    const results = await loadPackages(findPluginPackages([project.nodeModules]));
    expect(results.map((r) => [r.name, r.ok])).toEqual([
      ["a-plugin", true],
      ["b-plugin", false],
    ]);
  });
});

describe("selection", () => {
  beforeEach(() => {
    project.add({ name: "alpha", agents: [{ name: "Alpha", category: "alpha" }] });
    project.add({ name: "beta", agents: [{ name: "Beta", category: "beta" }] });
    project.add({ name: "gamma", agents: [{ name: "Gamma", category: "gamma" }] });
  });
  const served = async (extra: Parameters<typeof buildRegistry>[0]) =>
    (await registryOf(extra)).registry
      .entries()
      .map((e) => e.agent.category.name)
      .sort();

  it("include picks a subset, exclude removes from it", async () => {
    expect(await served({ include: ["alpha", "gamma"] })).toEqual(["alpha", "gamma"]);
    expect(await served({ include: undefined, exclude: ["beta"] })).toEqual(["alpha", "gamma"]);
    expect(await served({ include: ["alpha", "beta"], exclude: ["beta"] })).toEqual(["alpha"]);
  });

  it("an included name that is not installed is a reported problem", async () => {
    const { problems } = await registryOf({ include: ["alpha", "alhpa"] });
    expect(problems.map((p) => [p.name, p.error])).toEqual([
      ["alhpa", expect.stringMatching(/no installed plugin package is called alhpa.*did you mean alpha\?/)],
    ]);
  });

  it("reads FLYTE_AGENT_INCLUDE / FLYTE_AGENT_EXCLUDE when no flag is given", async () => {
    const saved = { ...process.env };
    try {
      process.env.FLYTE_AGENT_INCLUDE = "alpha, beta";
      process.env.FLYTE_AGENT_EXCLUDE = "beta";
      expect(
        (await buildRegistry({ nodeModules: [project.nodeModules], modules: [] })).registry.entries().map((e) => e.agent.name),
      ).toEqual(["Alpha"]);
    } finally {
      process.env = saved;
    }
  });

  it("loads extra modules by path, and reports a bad path by name", async () => {
    const path = project.file("local/my-plugin.js", pluginSource([{ name: "Local", category: "local" }]));
    const { registry, problems } = await registryOf({ include: ["alpha"], modules: [path, "./missing-plugin.js"] });
    expect(registry.entries().map((e) => [e.agent.name, e.source])).toEqual([
      ["Alpha", "alpha@1.0.0"],
      ["Local", path],
    ]);
    expect(problems.map((p) => p.name)).toEqual(["./missing-plugin.js"]);
    expect(problems[0]?.ok === false && problems[0].error).toMatch(/Cannot find module/);
  });

  it("strict turns any failure into a ConfigurationError naming every failed plugin", async () => {
    project.add({ name: "broken", source: "throw new Error('no credentials file');" });
    project.add({ name: "stale", coreVersion: "99.1.0", agents: [] });
    await expect(registryOf({ strict: true })).rejects.toThrow(
      /plugin broken@1\.0\.0 failed to load: no credentials file; plugin stale@1\.0\.0 failed to load: .*99\.1\.0/,
    );
    expect((await registryOf({ strict: false })).registry.size).toBe(3);
  });
});
