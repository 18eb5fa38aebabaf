import { parse } from "yaml";
import { AsyncAgent, SyncAgent } from "../agent";
import { Phase, type Resource } from "../types";
import { CHART_KEYS, type HelmChart, helmValues, splitImage } from "./helm-values";
import { helmValuesFromFlags } from "./helm-values-flags";
import type { FlyteGeneration } from "./propeller-config";
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

const agents = [new CustomTask(), new Quick()];

/** Every path from the root to a leaf (a scalar, a list, or an empty map). */
function leafPaths(value: unknown, prefix = ""): string[] {
  if (value === null || typeof value !== "object" || Array.isArray(value) || Object.keys(value).length === 0) return [prefix];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => leafPaths(v, prefix ? `${prefix}.${k}` : k));
}

/** The value at a dotted path whose segments may themselves hold dots only at the end. */
function at(value: unknown, path: string[]): unknown {
  return path.reduce<unknown>((v, key) => (v as Record<string, unknown> | undefined)?.[key], value);
}

describe.each([
  ["flyte-core", 1],
  ["flyte-binary", 1],
  ["flyte-binary", 2],
] as [HelmChart, FlyteGeneration][])("--chart %s --flyte %d", (chart, flyte) => {
  const values = parse(helmValues(agents, { chart, flyte, image: "ghcr.io/acme/flyte-agent:0.1.0" }));
  const keys = CHART_KEYS[`${chart}@${flyte}`];

  it("writes only keys the chart reads (each listed with its source)", () => {
    expect(keys.length).toBeGreaterThan(0);
    for (const leaf of leafPaths(values)) {
      expect({ leaf, readBy: keys.some((k) => leaf === k.path || leaf.startsWith(`${k.path}.`)) }).toEqual({
        leaf,
        readBy: true,
      });
    }
  });

  it("enables the flyteconnector subchart with this image", () => {
    expect(values.flyteconnector.enabled).toBe(true);
    expect(values.flyteconnector.image).toEqual({ repository: "ghcr.io/acme/flyte-agent", tag: "0.1.0" });
  });

  it("points the connector-service plugin at the chart's flyteconnector Service and routes the task types", () => {
    const section =
      chart === "flyte-core"
        ? values.flyteconnector.plugin_config.plugins["connector-service"]
        : flyte === 1
          ? values.configuration.connectorService
          : values.configuration.inline.plugins["connector-service"];
    expect(section.defaultConnector.endpoint).toBe("k8s://flyteconnector.flyte:8000");
    expect(section.defaultConnector.insecure).toBe(true);
    expect(section.defaultConnector.timeouts.ListConnectors).toBe("3s");
    const tasks = chart === "flyte-core" ? values.configmap.enabled_plugins.tasks : values.enabled_plugins.tasks;
    const taskPlugins = tasks["task-plugins"];
    expect(taskPlugins["default-for-task-types"]).toEqual({
      container: "container",
      sidecar: "sidecar",
      container_array: "k8s-array",
      custom_task: "connector-service",
      // flyteidl2 has no sync service: Flyte 2 routes only async task types to the connector.
      ...(flyte === 1 ? { quick: "connector-service" } : {}),
    });
    if (flyte === 1) {
      expect(taskPlugins["enabled-plugins"]).toEqual(["container", "sidecar", "k8s-array", "connector-service", "echo"]);
    } else {
      expect(taskPlugins["enabled-plugins"]).toBeUndefined();
    }
  });
});

test("beside the Python connector: this service is pinned per task type, the chart's connector stays the default", () => {
  const values = parse(helmValues(agents, { chart: "flyte-core", deploymentName: "flyte-agent" }));
  const section = values.flyteconnector.plugin_config.plugins["connector-service"];
  expect(values.flyteconnector).toEqual({ enabled: true, plugin_config: expect.anything() }); // the chart's image stays
  expect(section.defaultConnector).toEqual({ endpoint: "k8s://flyteconnector.flyte:8000", insecure: true });
  expect(section.connectors["flyte-agent"].endpoint).toBe("dns:///flyte-agent.flyte.svc.cluster.local:8000");
  expect(section.connectorForTaskTypes).toEqual({ custom_task: "flyte-agent", quick: "flyte-agent" });
  for (const leaf of leafPaths(values)) {
    expect(CHART_KEYS["flyte-core@1"].some((k) => leaf === k.path || leaf.startsWith(`${k.path}.`))).toBe(true);
  }
  expect(at(values, ["flyteconnector", "image"])).toBeUndefined();
});

test("refuses what no chart reads", () => {
  expect(() => helmValues(agents, { chart: "flyte-core", flyte: 2 })).toThrow(
    new UsageError("Flyte 2 has no flyte-core chart: use --chart flyte-binary with --flyte 2"),
  );
  expect(() => helmValues(agents, { chart: "helm" as HelmChart })).toThrow(UsageError);
  expect(() => splitImage("ghcr.io/acme/flyte-agent")).toThrow(UsageError);
  expect(() => splitImage("localhost:5000/flyte-agent")).toThrow(UsageError);
  expect(splitImage("localhost:5000/flyte-agent:1.2")).toEqual({ repository: "localhost:5000/flyte-agent", tag: "1.2" });
  const flags = { namespace: "flyte", flyte: 1 as const, timeout: "10s", listTimeout: "3s" };
  expect(() => helmValuesFromFlags(agents, { ...flags, chart: "flyte-core" })).toThrow(
    new UsageError("--chart and --image need --format helm-values"),
  );
  expect(() => helmValuesFromFlags(agents, { ...flags, format: "helm-values" })).toThrow(/needs --chart/);
  expect(() =>
    helmValuesFromFlags(agents, { ...flags, format: "helm-values", chart: "flyte-core", plugin: "agent-service" }),
  ).toThrow(/drop --plugin agent-service/);
  expect(helmValuesFromFlags(agents, flags)).toBeUndefined();
});
