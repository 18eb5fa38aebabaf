import { admin as adminValues } from "@flyte-agent/flyteidl";
import type { admin } from "@flyte-agent/flyteidl";
import { Phase } from "./types";

const TERMINAL = new Set<Phase>([Phase.SUCCEEDED, Phase.FAILED, Phase.ABORTED, Phase.RETRYABLE_FAILED]);

/**
 * True for phases after which propeller stops polling: SUCCEEDED, FAILED, ABORTED and
 * RETRYABLE_FAILED (the Python runner forgot the last one and polls forever).
 */
export function isTerminalPhase(phase: Phase): boolean {
  return TERMINAL.has(phase);
}

/** True for SUCCEEDED only. */
export function isSuccessPhase(phase: Phase): boolean {
  return phase === Phase.SUCCEEDED;
}

/**
 * The deprecated `Resource.state` matching a phase, for propellers older than 1.16 (which read
 * `state` when `phase` is UNDEFINED, and whose default 0 means RETRYABLE_FAILURE).
 */
export function stateForPhase(phase: Phase): admin.State {
  const S = adminValues.State;
  switch (phase) {
    case Phase.SUCCEEDED:
      return S.SUCCEEDED;
    case Phase.FAILED:
    case Phase.ABORTED:
      return S.PERMANENT_FAILURE;
    case Phase.RETRYABLE_FAILED:
      return S.RETRYABLE_FAILURE;
    case Phase.RUNNING:
      return S.RUNNING;
    default:
      return S.PENDING;
  }
}

/** Upper-case phase name (`"SUCCEEDED"`), for logs and displays. */
export function phaseName(phase: Phase): string {
  return Phase[phase] ?? `PHASE_${phase}`;
}

const STATE_TO_PHASE: ReadonlyMap<string, Phase> = new Map<string, Phase>([
  ...["failed", "failure", "timeout", "timedout", "timed_out", "canceled", "cancelled", "skipped", "error"].map(
    (s) => [s, Phase.FAILED] as const,
  ),
  ...["internal_error", "retryable_failed", "retryable_failure"].map((s) => [s, Phase.RETRYABLE_FAILED] as const),
  ...["done", "succeeded", "success", "successful", "completed", "complete", "finished"].map(
    (s) => [s, Phase.SUCCEEDED] as const,
  ),
  ...["running", "terminating", "in_progress", "executing", "started"].map((s) => [s, Phase.RUNNING] as const),
  ...["pending", "initializing", "starting", "submitted", "created"].map((s) => [s, Phase.INITIALIZING] as const),
  ...["queued", "waiting", "blocked"].map((s) => [s, Phase.QUEUED] as const),
  ...["aborted"].map((s) => [s, Phase.ABORTED] as const),
]);

/**
 * Maps a state name of an external system to a phase, case-insensitively (`"DONE"`,
 * `"Cancelled"`, `"in-progress"` ...). Returns `undefined` for a state it does not know, so the
 * caller decides (the Python helper raises; an agent usually reports RUNNING with a message).
 *
 * @param extra - agent-specific names that win over the built-in table.
 */
export function phaseFromState(state: string, extra?: Readonly<Record<string, Phase>>): Phase | undefined {
  const key = state
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, "_");
  if (extra) {
    for (const [name, phase] of Object.entries(extra)) {
      if (name.toLowerCase() === key) return phase;
    }
  }
  return STATE_TO_PHASE.get(key);
}

/**
 * The phase propeller acts on for a wire Resource: `phase` when set, else the deprecated
 * `state` (whose default 0 means RETRYABLE_FAILURE, so a reply that sets neither fails the task).
 */
export function phaseOfWireResource(resource: Pick<admin.Resource, "phase" | "state">): Phase {
  if (resource.phase !== Phase.UNDEFINED) return resource.phase;
  const S = adminValues.State;
  switch (resource.state) {
    case S.SUCCEEDED:
      return Phase.SUCCEEDED;
    case S.RUNNING:
      return Phase.RUNNING;
    case S.PENDING:
      return Phase.INITIALIZING;
    case S.PERMANENT_FAILURE:
      return Phase.FAILED;
    default:
      return Phase.RETRYABLE_FAILED;
  }
}
