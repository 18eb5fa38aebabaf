import { flyteidl } from "@flyte-agent/core";

type LiteralType = flyteidl.core.LiteralType;

/** A JSON value as protobuf's Struct carries it in `custom` (every number a float). */
export type StructValue = string | number | boolean | null | StructValue[] | { [key: string]: StructValue };

/**
 * The type flytekit declares for a `dict` (and a dataclass): STRUCT annotated
 * `{"cache-key-metadata": {"serialization-format": "msgpack"}}`.
 */
export function msgpackDictType(): LiteralType {
  return {
    type: { $case: "simple", value: flyteidl.core.SimpleType.STRUCT },
    metadata: undefined,
    annotation: { annotations: { "cache-key-metadata": { "serialization-format": "msgpack" } } },
    structure: undefined,
  };
}

/** A simple LiteralType by name. */
export function simple(name: "STRING" | "INTEGER" | "FLOAT" | "BOOLEAN" | "STRUCT"): LiteralType {
  return {
    type: { $case: "simple", value: flyteidl.core.SimpleType[name] },
    metadata: undefined,
    annotation: undefined,
    structure: undefined,
  };
}

/**
 * A `webhook` task template as flytekit's `WebhookTask` registers it: type `webhook` version 0,
 * the task's `dynamic_inputs` as inputs, the output `info` typed as a msgpack dict, and `custom`
 * with flytekit's keys (`url`, `method`, `headers`, `data`, `show_data`, `show_url`,
 * `timeout_sec`; numbers as floats, as protobuf's Struct delivers them).
 */
export function webhookTemplate(
  custom: { [key: string]: StructValue },
  inputs: Record<string, LiteralType> = {},
  name = "workflows.notify.webhook_task",
): flyteidl.core.TaskTemplate {
  const variables = (spec: Record<string, LiteralType>) => ({
    variables: Object.fromEntries(Object.entries(spec).map(([k, type]) => [k, { type, description: k }])),
  });
  return {
    id: {
      resourceType: flyteidl.core.ResourceType.TASK,
      project: "flytesnacks",
      domain: "development",
      name,
      version: "v1",
      org: "",
    },
    type: "webhook",
    taskTypeVersion: 0,
    custom: { headers: {}, data: {}, show_data: false, show_url: false, timeout_sec: 10, ...custom },
    interface: { inputs: variables(inputs), outputs: variables({ info: msgpackDictType() }) },
    target: undefined,
    config: {},
    securityContext: undefined,
  };
}
