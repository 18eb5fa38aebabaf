import type { admin, core } from "@flyte-agent/flyteidl";
import type { Agent, AsyncAgent, SyncAgent } from "../agent";
import { formatCategory } from "../agent";
import { clipClientValue } from "../bounded-text";
import { TaskInputError } from "../errors";
import { MAX_RESOURCE_META_BYTES } from "../meta";
import type { AgentRegistry } from "../registry";
import type { TaskCategory } from "../types";
import type { RequestScope } from "./request-scope";

/**
 * The category a GetTask/DeleteTask/... request is for: `task_category` when set, else the
 * deprecated `task_type` as version 0.
 */
export function categoryOfRequest(req: { taskType?: string; taskCategory?: admin.TaskCategory | undefined }): TaskCategory {
  const name = req.taskCategory?.name || req.taskType || "";
  if (!name) throw new TaskInputError("request has neither task_category nor task_type");
  return { name, version: req.taskCategory?.name ? req.taskCategory.version : 0 };
}

/** The category of a task template: its `type` and `task_type_version`. */
export function categoryOfTemplate(template: core.TaskTemplate | undefined): TaskCategory {
  if (!template) throw new TaskInputError("request has no task template");
  if (!template.type) throw new TaskInputError("task template has no type");
  return { name: template.type, version: template.taskTypeVersion };
}

/**
 * Labels the call's log line with the category asked for (a client value, so clipped) and, once
 * an agent serves it, its metrics with the category name: only registered names become metric
 * labels, anything else stays "unknown", so clients cannot grow the label set.
 */
function label(scope: RequestScope, category: TaskCategory, agent?: Agent): void {
  if (agent) {
    scope.taskType = agent.category.name;
    scope.agentName = agent.name;
    return;
  }
  scope.category = formatCategory({ name: clipClientValue(category.name), version: category.version });
}

/**
 * What to throw when an async call's category belongs to a sync agent, when a protocol wants
 * something other than v1's INVALID_ARGUMENT ("call ExecuteTaskSync").
 */
export type SyncRefusal = (category: TaskCategory, agent: SyncAgent) => Error;

/** Finds the async agent for a category (NOT_FOUND, or INVALID_ARGUMENT for a sync one unless `refuseSync` says otherwise). */
export function routeAsync(
  registry: AgentRegistry,
  scope: RequestScope,
  category: TaskCategory,
  refuseSync?: SyncRefusal,
): AsyncAgent<unknown> {
  label(scope, category);
  const agent = registry.resolve(category);
  label(scope, category, agent);
  if (agent.kind !== "async") {
    if (refuseSync) throw refuseSync(category, agent);
    throw new TaskInputError(
      `task category ${formatCategory(category)} is served by the sync agent "${agent.name}"; call ExecuteTaskSync`,
    );
  }
  return agent;
}

/** Finds the sync agent for a category (NOT_FOUND, or INVALID_ARGUMENT for an async one). */
export function routeSync(registry: AgentRegistry, scope: RequestScope, category: TaskCategory): SyncAgent {
  label(scope, category);
  const agent = registry.resolve(category);
  label(scope, category, agent);
  if (agent.kind !== "sync") {
    throw new TaskInputError(
      `task category ${formatCategory(category)} is served by the async agent "${agent.name}"; call CreateTask`,
    );
  }
  return agent;
}

/** Decodes resource_meta with the agent's codec, refusing empty or oversized metadata. */
export function decodeMeta(agent: AsyncAgent<unknown>, bytes: Uint8Array | undefined): unknown {
  if (!bytes || bytes.length === 0) throw new TaskInputError("resource_meta is empty");
  if (bytes.length > MAX_RESOURCE_META_BYTES) {
    throw new TaskInputError(`resource_meta is ${bytes.length} bytes; the limit is ${MAX_RESOURCE_META_BYTES}`);
  }
  return agent.metaCodec.decode(bytes);
}
