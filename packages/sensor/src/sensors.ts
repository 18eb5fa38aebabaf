import { TaskInputError } from "@flyte-agent/core";
import type { CheckContext, CheckResult } from "./check-result";
import { FileSensorCheck } from "./file-sensor";
import type { FileSensorSettings } from "./file-sensor";

/** One sensor this agent serves in place of a flytekit sensor class. */
export interface SensorDefinition {
  /** The Python module flytekit names (`sensor_module`). */
  readonly module: string;
  /** The class name (`sensor_name`). */
  readonly name: string;
  /** The arguments of the sensor's `poke`, all required. */
  readonly inputs: readonly string[];
  /** Checks the inputs when the task is created (throws {@link TaskInputError}); returns them as stored in resource_meta. */
  validate(inputs: { [name: string]: unknown }): Promise<{ [name: string]: unknown }>;
  /** One `poke`: whether the condition holds now. */
  poke(inputs: { [name: string]: unknown }, ctx: CheckContext): Promise<CheckResult>;
}

/** The sensors of one agent, by `module.name`. */
export class SensorTable {
  private readonly byKey: ReadonlyMap<string, SensorDefinition>;

  constructor(definitions: readonly SensorDefinition[]) {
    this.byKey = new Map(definitions.map((d) => [`${d.module}.${d.name}`, d]));
  }

  /** The supported sensors as `module.Name`, for messages and docs. */
  get supported(): string[] {
    return [...this.byKey.keys()].sort();
  }

  /** The sensor flytekit named, or an INVALID_ARGUMENT listing the supported ones. */
  find(module: string, name: string): SensorDefinition {
    const found = this.byKey.get(`${module}.${name}`);
    if (!found) {
      throw new TaskInputError(
        `the sensor ${module.slice(0, 200)}.${name.slice(0, 100)} is not served by this agent; supported: ${this.supported.join(", ")}`,
      );
    }
    return found;
  }
}

/** The sensor table of flytekit's built-in sensors served here. */
export function builtInSensors(settings: FileSensorSettings): SensorDefinition[] {
  return [new FileSensorCheck(settings)];
}
