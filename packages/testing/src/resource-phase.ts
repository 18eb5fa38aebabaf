import { type flyteidl, type Phase, phaseOfWireResource } from "@flyte-agent/core";

/**
 * The phase propeller acts on for a Resource: `phase` when set, else the deprecated `state`
 * (whose default 0 means RETRYABLE_FAILURE, so an agent that sets neither fails the task).
 */
export function effectivePhase(resource: flyteidl.admin.Resource): Phase {
  return phaseOfWireResource(resource);
}
