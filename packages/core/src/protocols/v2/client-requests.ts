import { admin, core as v1core } from "@flyte-agent/flyteidl";
import { connector, core as v2core } from "@flyte-agent/flyteidl/v2";
import type { Connection } from "../../connection";
import { stateForPhase } from "../../phase";
import type { Phase } from "../../types";
import { fromV2NamedLiterals, toV2NamedLiterals } from "./literals";
import { bridge } from "./wire-bridge";

/**
 * The client side of the flyteidl2 adapter: what a Flyte 2 executor sends for the requests a
 * Flyte 1 propeller sends, and the replies read back as the flyteidl 1 results the run loop
 * works with. resource_meta bytes pass through untouched.
 */

/** A protocol-neutral connection as the flyteidl2 message (fresh maps, nothing shared). */
export function toV2Connection(connection: Connection): v2core.Connection {
  return {
    taskType: connection.taskType,
    secrets: { ...connection.secrets },
    configs: { ...connection.configs },
  };
}

/** A v1 CreateTaskRequest as the flyteidl2 one, with the connection the executor would resolve. */
export function toV2CreateTaskRequest(req: admin.CreateTaskRequest, connection?: Connection): connector.CreateTaskRequest {
  return {
    inputs: { literals: toV2NamedLiterals(req.inputs ?? { literals: {} }), context: [] },
    template: req.template === undefined ? undefined : bridge(v1core.TaskTemplate, v2core.TaskTemplate, req.template),
    outputPrefix: req.outputPrefix,
    taskExecutionMetadata:
      req.taskExecutionMetadata === undefined
        ? undefined
        : bridge(admin.TaskExecutionMetadata, connector.TaskExecutionMetadata, req.taskExecutionMetadata),
    connection: connection === undefined ? undefined : toV2Connection(connection),
  };
}

/** A v1 GetTaskRequest as the flyteidl2 one (no deprecated `task_type`). */
export function toV2GetTaskRequest(req: admin.GetTaskRequest, connection?: Connection): connector.GetTaskRequest {
  return {
    resourceMeta: req.resourceMeta,
    taskCategory: req.taskCategory && { name: req.taskCategory.name, version: req.taskCategory.version },
    outputPrefix: req.outputPrefix,
    connection: connection === undefined ? undefined : toV2Connection(connection),
  };
}

/** A v1 DeleteTaskRequest as the flyteidl2 one (no deprecated `task_type`). */
export function toV2DeleteTaskRequest(req: admin.DeleteTaskRequest, connection?: Connection): connector.DeleteTaskRequest {
  return {
    resourceMeta: req.resourceMeta,
    taskCategory: req.taskCategory && { name: req.taskCategory.name, version: req.taskCategory.version },
    connection: connection === undefined ? undefined : toV2Connection(connection),
  };
}

/**
 * A flyteidl2 Resource as the v1 Resource the run loop reads: phase, message, log links,
 * custom_info and outputs as sent; `state` is derived from the phase (flyteidl2 has none) and
 * `agent_error` is absent.
 *
 * @throws TaskInputError when the outputs repeat a name or lack a value
 */
export function toV1Resource(resource: connector.Resource): admin.Resource {
  return {
    state: stateForPhase(resource.phase as number as Phase),
    phase: resource.phase as number as v1core.TaskExecution_Phase,
    message: resource.message,
    logLinks: resource.logLinks.map((link) => bridge(v2core.TaskLog, v1core.TaskLog, link)),
    customInfo: resource.customInfo,
    outputs: resource.outputs === undefined ? undefined : fromV2NamedLiterals(resource.outputs.literals, "outputs"),
    agentError: undefined,
  };
}

/**
 * A ListConnectors reply as the ListAgents reply the run loop routes with: every connector is
 * async (flyteidl2 has no sync service, so no `is_sync`) and lists no deprecated task types.
 */
export function toV1ListAgentsResponse(res: connector.ListConnectorsResponse): admin.ListAgentsResponse {
  return {
    agents: res.connectors.map((c) => ({
      name: c.name,
      supportedTaskTypes: [],
      isSync: false,
      supportedTaskCategories: c.supportedTaskCategories.map((t) => ({ name: t.name, version: t.version })),
    })),
  };
}
