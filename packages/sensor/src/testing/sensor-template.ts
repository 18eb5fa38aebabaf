import { flyteidl } from "@flyte-agent/core";

/**
 * A `sensor` task template as flytekit registers a `FileSensor` (or another `BaseSensor`): type
 * `sensor` version 0, `custom` = `asdict(SensorMetadata)` (`sensor_config` and `inputs` null),
 * the `poke` arguments as inputs (`path: str` for the FileSensor), no outputs.
 */
export function sensorTemplate(
  options: {
    module?: string;
    name?: string;
    config?: { [key: string]: string | number | boolean | null } | null;
    inputs?: Record<string, flyteidl.core.LiteralType>;
  } = {},
): flyteidl.core.TaskTemplate {
  const inputs = options.inputs ?? { path: { type: { $case: "simple", value: flyteidl.core.SimpleType.STRING } } };
  return {
    id: {
      resourceType: flyteidl.core.ResourceType.TASK,
      project: "flytesnacks",
      domain: "development",
      name: "workflows.wait_for_file.file_sensor",
      version: "v1",
      org: "",
    },
    type: "sensor",
    taskTypeVersion: 0,
    custom: {
      sensor_module: options.module ?? "flytekit.sensor.file_sensor",
      sensor_name: options.name ?? "FileSensor",
      sensor_config: options.config ?? null,
      inputs: null,
    },
    interface: {
      inputs: { variables: Object.fromEntries(Object.entries(inputs).map(([k, type]) => [k, { type, description: k }])) },
      outputs: { variables: {} },
    },
    target: undefined,
    config: {},
    securityContext: undefined,
  };
}

/** A string input literal, as flytekit sends `path`. */
export function stringInput(value: string): flyteidl.core.Literal {
  return {
    value: { $case: "scalar", value: { value: { $case: "primitive", value: { value: { $case: "stringValue", value } } } } },
    hash: "",
    metadata: {},
  };
}
