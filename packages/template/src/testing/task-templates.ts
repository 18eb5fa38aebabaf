import { flyteidl } from "@flyte-agent/core";
import type { CustomTaskConfig } from "../types";

function template(type: string, name: string, custom: CustomTaskConfig): flyteidl.core.TaskTemplate {
  return flyteidl.core.TaskTemplate.fromPartial({
    id: { resourceType: flyteidl.core.ResourceType.TASK, project: "flytesnacks", domain: "development", name, version: "v1" },
    type,
    metadata: { runtime: { type: flyteidl.core.RuntimeMetadata_RuntimeType.OTHER, version: "0.1.0", flavor: "typescript" } },
    custom: { ...custom },
  });
}

/** A `custom_task` template as flytekit would send it, with `config` as its `custom` struct. */
export function customTaskTemplate(config: CustomTaskConfig = {}, name = "example.custom_task"): flyteidl.core.TaskTemplate {
  return template("custom_task", name, config);
}

/** A `custom_sync_task` template, with `config` as its `custom` struct. */
export function customSyncTaskTemplate(
  config: CustomTaskConfig = {},
  name = "example.custom_sync_task",
): flyteidl.core.TaskTemplate {
  return template("custom_sync_task", name, config);
}
