import { flyteidl, Phase } from "@flyte-agent/core";

/**
 * The phase propeller acts on for a Resource: `phase` when set, else the deprecated `state`
 * (whose default 0 means RETRYABLE_FAILURE, so an agent that sets neither fails the task).
 */
export function effectivePhase(resource: flyteidl.admin.Resource): Phase {
  if (resource.phase !== Phase.UNDEFINED) return resource.phase;
  const State = flyteidl.admin.State;
  switch (resource.state) {
    case State.PERMANENT_FAILURE:
      return Phase.FAILED;
    case State.PENDING:
      return Phase.INITIALIZING;
    case State.RUNNING:
      return Phase.RUNNING;
    case State.SUCCEEDED:
      return Phase.SUCCEEDED;
    default:
      return Phase.RETRYABLE_FAILED;
  }
}
