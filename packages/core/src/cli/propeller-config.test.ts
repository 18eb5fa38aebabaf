import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { AsyncAgent, SyncAgent } from "../agent";
import { Phase, type Resource } from "../types";
import { propellerConfig } from "./propeller-config";
import { UsageError } from "./usage-error";

class CustomTask extends AsyncAgent<{ id: string }> {
  readonly name = "Custom";
  readonly category = { name: "custom_task", version: 0 };
  async create() {
    return { id: "1" };
  }
  async get(): Promise<Resource> {
    return { phase: Phase.SUCCEEDED };
  }
  async delete() {}
}

class Quick extends SyncAgent {
  readonly name = "Quick";
  readonly category = { name: "quick", version: 0 };
  async do(): Promise<Resource> {
    return { phase: Phase.SUCCEEDED };
  }
}

test("the core README's Flyte 2 example is what --flyte 2 prints for one custom_task agent", () => {
  const readme = readFileSync(join(__dirname, "..", "..", "README.md"), "utf8");
  const block = /<!-- propeller-config --flyte 2: one custom_task agent -->\n```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(block).toBeDefined();
  expect(parse(block ?? "")).toEqual(parse(propellerConfig([new CustomTask()], { flyte: 2 })));
});

test("Flyte 2 leaves ExecuteTaskSync out and says what happens to sync agents", () => {
  const text = propellerConfig([new CustomTask(), new Quick()], { flyte: 2 });
  const section = parse(text).plugins["connector-service"];
  expect(Object.keys(section.defaultConnector.timeouts)).toEqual(["CreateTask", "GetTask", "DeleteTask", "ListConnectors"]);
  expect(text).toContain("# Sync agents (quick@0) are not routed here: Flyte 2 has no sync service");
  const flyte1 = parse(propellerConfig([new CustomTask(), new Quick()], { flyte: 1, plugin: "connector-service" }));
  expect(flyte1.plugins["connector-service"].defaultConnector.timeouts.ExecuteTaskSync).toBe("10s");
});

class Slow extends SyncAgent {
  readonly name = "Slow";
  readonly category = { name: "slow", version: 0 };
  override readonly minExecuteDeadlineMs = 14_500;
  async do(): Promise<Resource> {
    return { phase: Phase.SUCCEEDED };
  }
}

test("a sync agent that needs longer gets a longer ExecuteTaskSync, and the comment says why", () => {
  const text = propellerConfig([new Quick(), new Slow()], { plugin: "connector-service" });
  const timeouts = parse(text).plugins["connector-service"].defaultConnector.timeouts;
  expect(timeouts.ExecuteTaskSync).toBe("15s");
  expect(timeouts.GetTask).toBe("10s");
  expect(text).toContain("# ExecuteTaskSync is 15s, longer than 10s: sync agents need it (slow@0 up to 15s).");
  // A --timeout already long enough is kept, and nothing is said.
  const long = propellerConfig([new Slow()], { timeout: "20s" });
  expect(parse(long).plugins["agent-service"].defaultAgent.timeouts.ExecuteTaskSync).toBe("20s");
  expect(long).not.toContain("ExecuteTaskSync is");
  // Flyte 2 has no ExecuteTaskSync at all.
  expect(propellerConfig([new Slow()], { flyte: 2 })).not.toContain("ExecuteTaskSync");
});

test("options Flyte cannot read are refused with a UsageError", () => {
  const agents = [new CustomTask()];
  expect(() => propellerConfig(agents, { flyte: 3 as 2 })).toThrow(new UsageError("--flyte must be 1 or 2, got 3"));
  expect(() => propellerConfig(agents, { flyte: 2, plugin: "agent-service" })).toThrow(UsageError);
  expect(() => propellerConfig(agents, { plugin: "agents" as "agent-service" })).toThrow(
    '--plugin must be agent-service or connector-service, got "agents"',
  );
});

test("Flyte 2 routes no sync category to the service (flyteidl2 refuses them)", () => {
  const text = propellerConfig([new CustomTask(), new Quick()], { flyte: 2 });
  expect(parse(text).tasks["task-plugins"]["default-for-task-types"]).toEqual({ custom_task: "connector-service" });
  expect(text).toContain("are not routed here");
  const named = parse(propellerConfig([new CustomTask(), new Quick()], { flyte: 2, deploymentName: "agents" }));
  expect(named.plugins["connector-service"].connectorForTaskTypes).toEqual({ custom_task: "agents" });
  // Flyte 1 has the sync service: both are routed.
  const flyte1 = parse(propellerConfig([new CustomTask(), new Quick()], { flyte: 1 }));
  expect(Object.keys(flyte1.tasks["task-plugins"]["default-for-task-types"]).sort()).toEqual(["custom_task", "quick"]);
});

test("Flyte 2's comments never mention enabled-plugins, which its configuration does not have", () => {
  class Snowflake extends CustomTask {
    override readonly category = { name: "snowflake", version: 0 };
  }
  const flyte2 = propellerConfig([new Snowflake()], { flyte: 2 });
  expect(flyte2).not.toContain("enabled-plugins");
  expect(flyte2).toContain('not to the executor\'s built-in "snowflake" plugin');
  expect(propellerConfig([new Snowflake()], { flyte: 1 })).toContain("from enabled-plugins");
});
