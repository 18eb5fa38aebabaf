import { admin, core as v1core } from "@flyte-agent/flyteidl";
import { connector, core as v2core } from "@flyte-agent/flyteidl/v2";
import type { Connection } from "../../connection";
import { categoryOfTemplate } from "../../server/routing";
import type { TaskCategory } from "../../types";
import { fromV2Connection } from "./connection";
import { fromV2NamedLiterals } from "./literals";
import { bridge } from "./wire-bridge";

/** What a v2 CreateTaskRequest gives an agent: the same fields a v1 request gives, plus the connection. */
export interface CreateTaskInput {
  /** The category to route by (template `type` and `task_type_version`). */
  readonly category: TaskCategory;
  /** The task template, as flyteidl 1 describes it (fields only flyteidl2 has are dropped). */
  readonly template: v1core.TaskTemplate;
  /** The inputs as a literal map (empty when the task has none). */
  readonly inputs: v1core.LiteralMap;
  /** Where outputs of this attempt go. */
  readonly outputPrefix: string;
  /** Execution id, namespace, labels...; absent when the request has none. */
  readonly taskExecutionMetadata?: admin.TaskExecutionMetadata;
  /** The connection Flyte resolved for the task; absent when the request has none. */
  readonly connection?: Connection;
}

/**
 * Maps a flyteidl2 CreateTaskRequest onto the protocol-neutral inputs of `AsyncAgent.create`.
 *
 * @throws TaskInputError (INVALID_ARGUMENT) when the template or its type is missing, or the
 * inputs or connection are malformed; the messages match the v1 ones
 */
export function fromV2CreateTaskRequest(req: connector.CreateTaskRequest): CreateTaskInput {
  const template = req.template === undefined ? undefined : bridge(v2core.TaskTemplate, v1core.TaskTemplate, req.template);
  const category = categoryOfTemplate(template);
  const input: {
    -readonly [K in keyof CreateTaskInput]: CreateTaskInput[K];
  } = {
    category,
    template: template!,
    inputs: fromV2NamedLiterals(req.inputs?.literals),
    outputPrefix: req.outputPrefix ?? "",
  };
  if (req.taskExecutionMetadata !== undefined) {
    input.taskExecutionMetadata = bridge(connector.TaskExecutionMetadata, admin.TaskExecutionMetadata, req.taskExecutionMetadata);
  }
  const connection = fromV2Connection(req.connection);
  if (connection !== undefined) input.connection = connection;
  return input;
}
