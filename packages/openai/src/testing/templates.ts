import { flyteidl, MSGPACK_ANNOTATION } from "@flyte-agent/core";

type TaskTemplate = flyteidl.core.TaskTemplate;
type LiteralMap = flyteidl.core.LiteralMap;
type JsonObject = { [key: string]: unknown };

const { core } = flyteidl;
const simple = (t: flyteidl.core.SimpleType): flyteidl.core.LiteralType =>
  core.LiteralType.fromPartial({ type: { $case: "simple", value: t } });
/** The type flytekit declares for a `dict` output: STRUCT with the msgpack annotation. */
const dictType = (): flyteidl.core.LiteralType =>
  core.LiteralType.fromPartial({
    type: { $case: "simple", value: core.SimpleType.STRUCT },
    annotation: { annotations: structuredClone(MSGPACK_ANNOTATION) },
  });

function template(
  type: string,
  name: string,
  custom: JsonObject,
  inputs: Record<string, flyteidl.core.LiteralType>,
  outputs: Record<string, flyteidl.core.LiteralType>,
): TaskTemplate {
  const vars = (spec: Record<string, flyteidl.core.LiteralType>) => ({
    variables: Object.fromEntries(Object.entries(spec).map(([k, t]) => [k, { type: t, description: k }])),
  });
  return core.TaskTemplate.fromPartial({
    id: { resourceType: core.ResourceType.TASK, project: "flytesnacks", domain: "development", name, version: "v1" },
    type,
    taskTypeVersion: 0,
    metadata: {
      runtime: { type: core.RuntimeMetadata_RuntimeType.FLYTE_SDK, version: "1.16.0", flavor: "python" },
      retries: { retries: 0 },
    },
    interface: { inputs: vars(inputs), outputs: vars(outputs) },
    custom,
  });
}

/**
 * An `openai-batch` task template as flytekit's `BatchEndpointTask` registers it: custom
 * `{openai_organization, config}`, input `input_file_id: str`, output `result: dict` (msgpack STRUCT).
 */
export function openAIBatchTemplate(
  custom: { openai_organization?: string | null; config?: JsonObject | null } = {},
): TaskTemplate {
  return template(
    "openai-batch",
    "wf.openai_batch",
    { openai_organization: custom.openai_organization ?? null, config: custom.config ?? {} },
    { input_file_id: simple(core.SimpleType.STRING) },
    { result: dictType() },
  );
}

/**
 * A `chatgpt` task template as flytekit's `ChatGPTTask` registers it: custom
 * `{openai_organization, chatgpt_config}`, input `message: str`, output `o0: str`.
 */
export function chatGPTTemplate(custom: { openai_organization?: string | null; chatgpt_config: JsonObject }): TaskTemplate {
  return template(
    "chatgpt",
    "wf.chatgpt",
    { openai_organization: custom.openai_organization ?? null, chatgpt_config: custom.chatgpt_config },
    { message: simple(core.SimpleType.STRING) },
    { o0: simple(core.SimpleType.STRING) },
  );
}

/** Inputs of one string input, e.g. `{ input_file_id: "file-abc" }` or `{ message: "hi" }`. */
export function stringInputs(values: Record<string, string>): LiteralMap {
  return core.LiteralMap.fromPartial({
    literals: Object.fromEntries(
      Object.entries(values).map(([k, v]) => [
        k,
        {
          value: {
            $case: "scalar",
            value: { value: { $case: "primitive", value: { value: { $case: "stringValue", value: v } } } },
          },
        },
      ]),
    ),
  });
}
