import { flyteidl } from "./index";
import { isTerminalPhase, phaseFromState, stateForPhase } from "./phase";
import { Phase } from "./types";

describe("phases", () => {
  it("treats RETRYABLE_FAILED as terminal", () => {
    expect([Phase.SUCCEEDED, Phase.FAILED, Phase.ABORTED, Phase.RETRYABLE_FAILED].every(isTerminalPhase)).toBe(true);
    expect([Phase.QUEUED, Phase.RUNNING, Phase.INITIALIZING, Phase.WAITING_FOR_RESOURCES].some(isTerminalPhase)).toBe(false);
  });

  it("maps external states case-insensitively, with agent overrides", () => {
    expect(phaseFromState("DONE")).toBe(Phase.SUCCEEDED);
    expect(phaseFromState("Cancelled")).toBe(Phase.FAILED);
    expect(phaseFromState("internal_error")).toBe(Phase.RETRYABLE_FAILED);
    expect(phaseFromState("in-progress")).toBe(Phase.RUNNING);
    expect(phaseFromState("PENDING")).toBe(Phase.INITIALIZING);
    expect(phaseFromState("weird")).toBeUndefined();
    expect(phaseFromState("BLOCKED", { blocked: Phase.WAITING_FOR_RESOURCES })).toBe(Phase.WAITING_FOR_RESOURCES);
  });

  it("pairs each phase with the deprecated state older propellers read", () => {
    const S = flyteidl.admin.State;
    expect(stateForPhase(Phase.SUCCEEDED)).toBe(S.SUCCEEDED);
    expect(stateForPhase(Phase.FAILED)).toBe(S.PERMANENT_FAILURE);
    expect(stateForPhase(Phase.RETRYABLE_FAILED)).toBe(S.RETRYABLE_FAILURE);
    expect(stateForPhase(Phase.RUNNING)).toBe(S.RUNNING);
    expect(stateForPhase(Phase.QUEUED)).toBe(S.PENDING);
  });
});
