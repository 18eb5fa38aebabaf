import { core as idl } from "@flyte-agent/flyteidl";
import type { admin, core } from "@flyte-agent/flyteidl";
import { stateForPhase } from "../phase";
import { redactSecrets } from "../secrets";
import type { Resource } from "../types";

/** Thrown when an agent returns something that is not a valid Resource. */
export class InvalidResourceError extends Error {}

const VALID_PHASES = new Set<number>(
  Object.values(idl.TaskExecution_Phase).filter((v): v is number => typeof v === "number" && v >= 0),
);

/**
 * Turns an agent's Resource into the wire message: checks it, sets the deprecated `state`
 * matching `phase`, and scrubs known secrets from the message.
 */
export function toWireResource(resource: Resource): admin.Resource {
  if (typeof resource !== "object" || resource === null) {
    throw new InvalidResourceError(`expected a Resource object, got ${resource === null ? "null" : typeof resource}`);
  }
  const { phase } = resource;
  if (typeof phase !== "number" || !VALID_PHASES.has(phase) || phase === idl.TaskExecution_Phase.UNDEFINED) {
    throw new InvalidResourceError(`phase must be a TaskExecution.Phase other than UNDEFINED, got ${String(phase)}`);
  }
  if (resource.message !== undefined && typeof resource.message !== "string") {
    throw new InvalidResourceError("message must be a string");
  }
  const logLinks: core.TaskLog[] = [];
  for (const link of resource.logLinks ?? []) {
    if (typeof link?.name !== "string" || typeof link?.uri !== "string") {
      throw new InvalidResourceError("each log link needs a string name and uri");
    }
    logLinks.push({
      name: link.name,
      uri: link.uri,
      messageFormat: idl.TaskLog_MessageFormat.UNKNOWN,
      ShowWhilePending: false,
      HideOnceFinished: false,
    });
  }
  const outputs = resource.outputs;
  if (outputs !== undefined && (typeof outputs !== "object" || outputs === null || typeof outputs.literals !== "object")) {
    throw new InvalidResourceError("outputs must be a LiteralMap (use toLiteralMap)");
  }
  return {
    state: stateForPhase(phase),
    phase,
    message: redactSecrets(resource.message ?? ""),
    logLinks,
    outputs,
    customInfo: resource.customInfo,
    agentError: resource.agentError,
  };
}
