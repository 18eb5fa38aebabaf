import { parse } from "yaml";
import { FixtureProject } from "../../test/fixtures/plugin-packages";
import { runCli } from "../../test/fixtures/serve-process";
import type { PluginListing } from "./list";

/** Runs the built CLI in the fixture project and collects its exit code and output. */
const run = (cwd: string, args: string[], env: NodeJS.ProcessEnv = {}) =>
  runCli(args, { cwd, env: { LOG_LEVEL: "info", ...env } });

let project: FixtureProject;
beforeEach(() => {
  project = new FixtureProject();
  project.add({ name: "@acme/warehouse", version: "3.1.4", agents: [{ name: "Warehouse Agent", category: "warehouse_query" }] });
  project.add({
    name: "sync-tools",
    version: "0.9.0",
    agents: [
      { name: "Echo", category: "echo", kind: "sync" },
      { name: "Echo", category: "echo", version: 2, kind: "sync" },
    ],
  });
  project.add({ name: "@acme/snow", version: "1.0.0", agents: [{ name: "Snow", category: "snowflake" }] });
  project.add({ name: "broken-plugin", version: "1.0.0", source: "throw new Error('missing native module');" });
});
afterEach(() => project.remove());

// Only the fixture packages: the workspace's own plugins sit above this copy of core.
const FIXTURES = ["--include", "@acme/warehouse", "sync-tools"];

describe("flyte-agent list", () => {
  it("prints a table of the discovered agents", async () => {
    const { code, stdout, stderr } = await run(project.dir, ["list", ...FIXTURES]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const rows = stdout
      .trim()
      .split("\n")
      .slice(2)
      .map((l) => l.split(/\s{2,}/));
    expect(rows).toEqual([
      ["Warehouse Agent", "warehouse_query@0", "async", "@acme/warehouse@3.1.4"],
      ["Echo", "echo@0", "sync", "sync-tools@0.9.0"],
      ["Echo", "echo@2", "sync", "sync-tools@0.9.0"],
    ]);
  });

  it("--json gives the same facts, and failed plugins with their reason; exit 1 when one failed", async () => {
    const { code, stdout } = await run(project.dir, ["list", "--json", ...FIXTURES, "broken-plugin"]);
    expect(code).toBe(1);
    const listing = JSON.parse(stdout) as PluginListing;
    expect(listing.plugins.map((p) => [p.package, p.version, p.ok])).toEqual([
      ["@acme/warehouse", "3.1.4", true],
      ["broken-plugin", "1.0.0", false],
      ["sync-tools", "0.9.0", true],
    ]);
    expect(listing.plugins[1]?.error).toBe("missing native module");
    expect(listing.plugins[2]?.agents).toEqual([
      { name: "Echo", category: { name: "echo", version: 0 }, mode: "sync" },
      { name: "Echo", category: { name: "echo", version: 2 }, mode: "sync" },
    ]);
  });

  it("honours FLYTE_AGENT_EXCLUDE", async () => {
    const { stdout } = await run(project.dir, ["list", "--json", ...FIXTURES], { FLYTE_AGENT_EXCLUDE: "sync-tools" });
    expect((JSON.parse(stdout) as PluginListing).plugins.map((p) => p.package)).toEqual(["@acme/warehouse"]);
  });
});

describe("flyte-agent serve start-up failures", () => {
  it("two plugins claiming one category: exits 1 with one clean line naming both packages", async () => {
    project.add({ name: "other-warehouse", version: "0.0.1", agents: [{ name: "Copycat", category: "warehouse_query" }] });
    const { code, stderr } = await run(project.dir, [
      "serve",
      "--port",
      "0",
      "--host",
      "127.0.0.1",
      "--prometheus-port",
      "-1",
      "--include",
      "@acme/warehouse",
      "other-warehouse",
    ]);
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /^flyte-agent: task category warehouse_query@0 is claimed twice: .*@acme\/warehouse@3\.1\.4.*other-warehouse@0\.0\.1\n$/,
    );
  });

  it("--strict refuses to start when a plugin fails, naming it and the reason", async () => {
    const { code, stderr } = await run(project.dir, [
      "serve",
      "--port",
      "0",
      "--prometheus-port",
      "-1",
      "--strict",
      ...FIXTURES,
      "broken-plugin",
    ]);
    expect(code).toBe(1);
    expect(stderr).toContain("plugin broken-plugin@1.0.0 failed to load: missing native module");
  });
});

describe("flyte-agent propeller-config", () => {
  it("routes exactly the served task types to agent-service with a round-robin default agent", async () => {
    const { code, stdout } = await run(project.dir, ["propeller-config", ...FIXTURES]);
    expect(code).toBe(0);
    const config = parse(stdout);
    expect(config.tasks["task-plugins"]["enabled-plugins"]).toContain("agent-service");
    expect(config.tasks["task-plugins"]["default-for-task-types"]).toEqual({
      echo: "agent-service",
      warehouse_query: "agent-service",
    });
    const section = config.plugins["agent-service"];
    expect(section.defaultAgent.endpoint).toBe("dns:///flyte-agent.flyte.svc.cluster.local:8000");
    expect(section.defaultAgent.insecure).toBe(true);
    expect(JSON.parse(section.defaultAgent.defaultServiceConfig)).toEqual({ loadBalancingConfig: [{ round_robin: {} }] });
    expect(section.defaultAgent.timeouts).toMatchObject({ GetTask: "10s", ListAgents: "3s", ExecuteTaskSync: "10s" });
    expect(section.agentForTaskTypes).toBeUndefined();
    expect(stdout).toContain("Versioned categories (echo@2)");
  });

  it("--connector --tls --deployment-name: connector naming, TLS, and task types pinned to the deployment", async () => {
    const { code, stdout } = await run(project.dir, [
      "propeller-config",
      "--connector",
      "--tls",
      "--deployment-name",
      "team-a",
      "--namespace",
      "data",
      "--timeout",
      "30s",
      "--include",
      "@acme/warehouse",
    ]);
    expect(code).toBe(0);
    const config = parse(stdout);
    expect(config.tasks["task-plugins"]["default-for-task-types"]).toEqual({ warehouse_query: "connector-service" });
    const section = config.plugins["connector-service"];
    expect(section.connectors["team-a"]).toMatchObject({
      endpoint: "dns:///team-a.data.svc.cluster.local:8000",
      insecure: false,
      defaultTimeout: "30s",
    });
    expect(section.connectors["team-a"].timeouts.ExecuteTaskSync).toBeUndefined();
    expect(section.connectorForTaskTypes).toEqual({ warehouse_query: "team-a" });
    expect(config.plugins["agent-service"]).toBeUndefined();
  });

  it("says when a served task type also has a built-in propeller plugin (snowflake)", async () => {
    const { code, stdout } = await run(project.dir, ["propeller-config", "--include", "@acme/snow"]);
    expect(code).toBe(0);
    expect(parse(stdout).tasks["task-plugins"]["default-for-task-types"]).toEqual({ snowflake: "agent-service" });
    expect(stdout).toContain(
      '# snowflake tasks go to this service: remove propeller\'s built-in "snowflake" plugin from enabled-plugins.',
    );
    const others = await run(project.dir, ["propeller-config", ...FIXTURES]);
    expect(others.stdout).not.toContain("built-in");
  });

  it("--endpoint is used as given; bad flags get a clear error", async () => {
    const ok = await run(project.dir, ["propeller-config", "--endpoint", "k8s://agents.flyte:8000", ...FIXTURES]);
    expect(parse(ok.stdout).plugins["agent-service"].defaultAgent.endpoint).toBe("k8s://agents.flyte:8000");
    const both = await run(project.dir, ["propeller-config", "--tls", "--insecure", ...FIXTURES]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("--tls and --insecure contradict each other");
    const badTimeout = await run(project.dir, ["propeller-config", "--timeout", "ten", ...FIXTURES]);
    expect(badTimeout.code).toBe(2);
    expect(badTimeout.stderr).toContain(
      "option '--timeout <duration>' argument 'ten' is invalid. Expected a duration like 500ms, 10s, 2m",
    );
  });
});

describe("flyte-agent propeller-config --flyte / --plugin", () => {
  it("--plugin connector-service: Flyte 1.16's connector plugin, list deadline keyed ListConnectors", async () => {
    const { code, stdout } = await run(project.dir, ["propeller-config", "--plugin", "connector-service", ...FIXTURES]);
    expect(code).toBe(0);
    const config = parse(stdout);
    expect(config.tasks["task-plugins"]["enabled-plugins"]).toEqual(["container", "sidecar", "k8s-array", "connector-service"]);
    const deployment = config.plugins["connector-service"].defaultConnector;
    expect(deployment.timeouts).toEqual({
      CreateTask: "10s",
      GetTask: "10s",
      DeleteTask: "10s",
      ListConnectors: "3s",
      ExecuteTaskSync: "10s",
    });
    expect(config.plugins["agent-service"]).toBeUndefined();
    expect(stdout).toContain("FlytePropeller (Flyte 1) configuration");
  });

  it("--flyte 2: the executor's connector-service section, no enabled-plugins, no ExecuteTaskSync, no sync category", async () => {
    const { code, stdout } = await run(project.dir, ["propeller-config", "--flyte", "2", ...FIXTURES]);
    expect(code).toBe(0);
    const config = parse(stdout);
    // echo is served by sync agents only, which flyteidl2 refuses: it is not routed.
    expect(config.tasks["task-plugins"]).toEqual({
      "default-for-task-types": { warehouse_query: "connector-service" },
    });
    expect(Object.keys(config.plugins)).toEqual(["connector-service"]);
    const section = config.plugins["connector-service"];
    expect(section.pollInterval).toBe("10s");
    expect(section.defaultConnector).toEqual({
      endpoint: "dns:///flyte-agent.flyte.svc.cluster.local:8000",
      insecure: true,
      defaultTimeout: "10s",
      timeouts: { CreateTask: "10s", GetTask: "10s", DeleteTask: "10s", ListConnectors: "3s" },
      defaultServiceConfig: '{"loadBalancingConfig": [{"round_robin":{}}]}',
    });
    expect(stdout).toContain("Sync agents (echo@0, echo@2) are not routed here");
    expect(stdout).not.toContain("Versioned categories");
    expect(stdout).toContain("Flyte 2 executor configuration");
  });

  it("--flyte 2 --deployment-name: connectors map and connectorForTaskTypes", async () => {
    const { code, stdout } = await run(project.dir, [
      "propeller-config",
      "--flyte",
      "2",
      "--deployment-name",
      "team-b",
      "--tls",
      "--timeout",
      "20s",
      "--list-timeout",
      "5s",
      "--include",
      "@acme/warehouse",
    ]);
    expect(code).toBe(0);
    const section = parse(stdout).plugins["connector-service"];
    expect(section.defaultConnector).toBeUndefined();
    expect(section.connectors["team-b"]).toMatchObject({
      endpoint: "dns:///team-b.flyte.svc.cluster.local:8000",
      insecure: false,
      defaultTimeout: "20s",
      timeouts: { CreateTask: "20s", GetTask: "20s", DeleteTask: "20s", ListConnectors: "5s" },
    });
    expect(section.connectorForTaskTypes).toEqual({ warehouse_query: "team-b" });
  });

  it("refuses a bad --flyte, a bad --plugin, and agent-service with Flyte 2 (exit 2)", async () => {
    const badFlyte = await run(project.dir, ["propeller-config", "--flyte", "3", ...FIXTURES]);
    expect(badFlyte.code).toBe(2);
    expect(badFlyte.stderr).toContain("option '--flyte <version>' argument '3' is invalid. Expected 1");
    const badPlugin = await run(project.dir, ["propeller-config", "--plugin", "agents", ...FIXTURES]);
    expect(badPlugin.code).toBe(2);
    expect(badPlugin.stderr).toContain("Allowed choices are agent-service, connector-service");
    const agentOn2 = await run(project.dir, ["propeller-config", "--flyte", "2", "--plugin", "agent-service", ...FIXTURES]);
    expect(agentOn2.code).toBe(2);
    expect(agentOn2.stderr).toContain("Flyte 2 has no agent-service plugin");
    const contradiction = await run(project.dir, ["propeller-config", "--connector", "--plugin", "agent-service", ...FIXTURES]);
    expect(contradiction.code).toBe(2);
    expect(contradiction.stderr).toContain("--connector and --plugin agent-service contradict each other");
    expect(agentOn2.stdout).toBe("");
  });
});

describe("refused command lines exit with code 2", () => {
  it("flyte-agent new with a name that is not kebab-case", async () => {
    const { code, stdout, stderr } = await run(project.dir, ["new", "My_Plugin", "--dir", "unused"]);
    expect(code).toBe(2);
    expect(stderr).toContain(
      "value 'My_Plugin' is invalid for argument 'name'. plugin name \"My_Plugin\" must be lower-case letters",
    );
    expect(stdout).toBe("");
  });

  it("an unknown command or flag", async () => {
    expect((await run(project.dir, ["lsit"])).code).toBe(2);
    const unknownFlag = await run(project.dir, ["list", "--jsn"]);
    expect(unknownFlag.code).toBe(2);
    expect(unknownFlag.stderr).toContain("unknown option '--jsn'");
  });
});
