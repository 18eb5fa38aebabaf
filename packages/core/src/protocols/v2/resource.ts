import { type admin, core as v1core } from "@flyte-agent/flyteidl";
import { core as v2core, type connector } from "@flyte-agent/flyteidl/v2";
import { toWireResource } from "../../server/resource-wire";
import type { Resource } from "../../types";
import { toV2NamedLiterals } from "./literals";
import { bridge } from "./wire-bridge";

/**
 * Turns an agent's Resource into the flyteidl2 wire message: phase, message, log links,
 * custom_info and outputs (flyteidl2 has no deprecated `state` and no `agent_error`). The checks
 * and the secret scrubbing of the message are the v1 ones ({@link toWireResource}).
 *
 * @throws InvalidResourceError when the agent returned something that is not a valid Resource
 */
export function toV2Resource(resource: Resource): connector.Resource {
  return fromV1Resource(toWireResource(resource));
}

/**
 * A checked v1 Resource as its flyteidl2 equivalent (drops `state` and `agent_error`); log links
 * keep every field both generations have (the inverse of the client's `toV1Resource`).
 */
export function fromV1Resource(resource: admin.Resource): connector.Resource {
  return {
    phase: resource.phase as number as v2core.TaskExecution_Phase,
    message: resource.message,
    logLinks: resource.logLinks.map((link) => bridge(v1core.TaskLog, v2core.TaskLog, link)),
    customInfo: resource.customInfo,
    outputs: resource.outputs === undefined ? undefined : { literals: toV2NamedLiterals(resource.outputs) },
  };
}

/**
 * An agent's Resource as a flyteidl 1 message whose v1 encoding is the flyteidl2 Resource's:
 * the two share field numbers (outputs 2, message 3, log_links 4, phase 5, custom_info 6; v2's
 * `task.Outputs.literals` is wire-identical to v1 LiteralMap's map entries), and the fields only
 * v1 has are left unset so they are not written: the deprecated `state` (its zero value) and
 * `agent_error`. Encode it with v1's `admin.Resource` / `admin.GetTaskResponse`.
 *
 * @throws InvalidResourceError when the agent returned something that is not a valid Resource
 */
export function toV2WireResource(resource: Resource): admin.Resource {
  const wire = toWireResource(resource);
  wire.state = 0 as admin.State;
  wire.agentError = undefined;
  return wire;
}
