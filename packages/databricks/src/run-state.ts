import { Phase } from "@flyte-agent/core";

/** The `state` object of a Jobs API 2.1 run (`runs/get`). */
export interface RunState {
  life_cycle_state?: string;
  result_state?: string;
  state_message?: string;
}

/** The newer `status` object of a run (sent next to `state` by current workspaces). */
export interface RunStatus {
  state?: string;
  termination_details?: { code?: string; type?: string; message?: string };
}

/** Where a run is, as the agent reports it. */
export interface RunPhase {
  phase: Phase;
  message: string;
}

/** `life_cycle_state` of a run that is not terminated. */
const LIFE_CYCLE: ReadonlyMap<string, Phase> = new Map([
  ["QUEUED", Phase.QUEUED],
  ["BLOCKED", Phase.QUEUED],
  ["PENDING", Phase.INITIALIZING],
  ["RUNNING", Phase.RUNNING],
  ["TERMINATING", Phase.RUNNING],
  ["WAITING_FOR_RETRY", Phase.RUNNING],
  ["SKIPPED", Phase.FAILED],
  ["INTERNAL_ERROR", Phase.RETRYABLE_FAILED],
]);

/** `result_state` of a TERMINATED run. */
const RESULT: ReadonlyMap<string, Phase> = new Map([
  ["SUCCESS", Phase.SUCCEEDED],
  ["SUCCESS_WITH_FAILURES", Phase.SUCCEEDED],
  ["FAILED", Phase.FAILED],
  ["TIMEDOUT", Phase.FAILED],
  ["CANCELED", Phase.FAILED],
  ["CANCELLED", Phase.FAILED],
  ["UPSTREAM_FAILED", Phase.FAILED],
  ["UPSTREAM_CANCELED", Phase.FAILED],
  ["EXCLUDED", Phase.FAILED],
  ["DISABLED", Phase.FAILED],
  ["MAXIMUM_CONCURRENT_RUNS_REACHED", Phase.RETRYABLE_FAILED],
]);

/** Every documented state and the phase it becomes (for the README and tests). */
export const LIFE_CYCLE_PHASES: ReadonlyMap<string, Phase> = LIFE_CYCLE;
/** Every documented result state and the phase it becomes. */
export const RESULT_PHASES: ReadonlyMap<string, Phase> = RESULT;

function describe(state: string, detail: string | undefined): string {
  return detail ? `${state}: ${detail}` : state;
}

/**
 * Maps a run's state to a phase: TERMINATED goes by `result_state`, anything else by
 * `life_cycle_state`. Unknown non-terminal states stay RUNNING (with a message naming them);
 * an unknown result of a terminated run is FAILED. The message is `state_message` when set.
 */
export function phaseOfRun(state: RunState | undefined, status?: RunStatus): RunPhase {
  const lifeCycle = (state?.life_cycle_state ?? "").toUpperCase();
  const detail = state?.state_message || undefined;
  if (!lifeCycle) return phaseOfStatus(status);
  if (lifeCycle === "TERMINATED") {
    const result = (state?.result_state ?? "").toUpperCase();
    if (!result) return { phase: Phase.RUNNING, message: describe("TERMINATED, result not yet known", detail) };
    const phase = RESULT.get(result);
    if (phase === undefined)
      return { phase: Phase.FAILED, message: describe(`TERMINATED with unknown result ${result}`, detail) };
    return { phase, message: describe(result, detail) };
  }
  const phase = LIFE_CYCLE.get(lifeCycle);
  if (phase === undefined) return { phase: Phase.RUNNING, message: describe(`unrecognised state ${lifeCycle}`, detail) };
  return { phase, message: describe(lifeCycle, detail) };
}

/** Fallback for runs that only carry the newer `status` object. */
function phaseOfStatus(status: RunStatus | undefined): RunPhase {
  const state = (status?.state ?? "").toUpperCase();
  const details = status?.termination_details;
  const detail = details?.message || undefined;
  if (!state) return { phase: Phase.RUNNING, message: "the run has no state yet" };
  if (state === "TERMINATED") {
    const code = (details?.code ?? "").toUpperCase();
    const type = (details?.type ?? "").toUpperCase();
    if (code === "SUCCESS" || code === "SUCCESS_WITH_FAILURES" || type === "SUCCESS") {
      return { phase: Phase.SUCCEEDED, message: describe(code || "SUCCESS", detail) };
    }
    const phase = type === "INTERNAL_ERROR" || type === "CLOUD_FAILURE" ? Phase.RETRYABLE_FAILED : Phase.FAILED;
    return { phase, message: describe(code || type || "TERMINATED", detail) };
  }
  if (state === "WAITING") return { phase: Phase.QUEUED, message: describe(state, detail) };
  const phase = LIFE_CYCLE.get(state);
  return {
    phase: phase ?? Phase.RUNNING,
    message: describe(phase === undefined ? `unrecognised state ${state}` : state, detail),
  };
}
