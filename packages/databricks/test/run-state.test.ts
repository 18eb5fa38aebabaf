import { Phase, phaseName } from "@flyte-agent/core";
import { phaseOfRun } from "../src/run-state";

const name = (p: Phase) => phaseName(p);

describe("phaseOfRun", () => {
  test.each([
    ["QUEUED", "QUEUED"],
    ["BLOCKED", "QUEUED"],
    ["PENDING", "INITIALIZING"],
    ["RUNNING", "RUNNING"],
    ["TERMINATING", "RUNNING"],
    ["WAITING_FOR_RETRY", "RUNNING"],
    ["SKIPPED", "FAILED"],
    ["INTERNAL_ERROR", "RETRYABLE_FAILED"],
  ])("life_cycle_state %s -> %s", (lifeCycle, expected) => {
    const { phase, message } = phaseOfRun({ life_cycle_state: lifeCycle, state_message: "details here" });
    expect(name(phase)).toBe(expected);
    expect(message).toBe(`${lifeCycle}: details here`);
  });

  test.each([
    ["SUCCESS", "SUCCEEDED"],
    ["SUCCESS_WITH_FAILURES", "SUCCEEDED"],
    ["FAILED", "FAILED"],
    ["TIMEDOUT", "FAILED"],
    ["CANCELED", "FAILED"],
    ["UPSTREAM_FAILED", "FAILED"],
    ["UPSTREAM_CANCELED", "FAILED"],
    ["EXCLUDED", "FAILED"],
    ["DISABLED", "FAILED"],
    ["MAXIMUM_CONCURRENT_RUNS_REACHED", "RETRYABLE_FAILED"],
  ])("TERMINATED with result_state %s -> %s", (result, expected) => {
    expect(name(phaseOfRun({ life_cycle_state: "TERMINATED", result_state: result }).phase)).toBe(expected);
  });

  test("the result decides once TERMINATED, whatever the life cycle said before", () => {
    const r = phaseOfRun({
      life_cycle_state: "TERMINATED",
      result_state: "FAILED",
      state_message: "Task failed with error: boom",
    });
    expect(r).toEqual({ phase: Phase.FAILED, message: "FAILED: Task failed with error: boom" });
  });

  test("unknown states: non-terminal stays RUNNING with a message, unknown result FAILS, no result yet is RUNNING", () => {
    expect(phaseOfRun({ life_cycle_state: "HIBERNATING" })).toEqual({
      phase: Phase.RUNNING,
      message: "unrecognised state HIBERNATING",
    });
    expect(phaseOfRun({ life_cycle_state: "TERMINATED", result_state: "EXPLODED" }).phase).toBe(Phase.FAILED);
    expect(phaseOfRun({ life_cycle_state: "TERMINATED" }).phase).toBe(Phase.RUNNING);
    expect(phaseOfRun(undefined).phase).toBe(Phase.RUNNING);
  });

  test("falls back to the newer status object", () => {
    expect(phaseOfRun(undefined, { state: "TERMINATED", termination_details: { code: "SUCCESS", type: "SUCCESS" } }).phase).toBe(
      Phase.SUCCEEDED,
    );
    expect(
      phaseOfRun(undefined, {
        state: "TERMINATED",
        termination_details: { code: "DRIVER_ERROR", type: "CLOUD_FAILURE", message: "m" },
      }),
    ).toEqual({ phase: Phase.RETRYABLE_FAILED, message: "DRIVER_ERROR: m" });
    expect(
      phaseOfRun(undefined, { state: "TERMINATED", termination_details: { code: "RUN_EXECUTION_ERROR", type: "CLIENT_ERROR" } })
        .phase,
    ).toBe(Phase.FAILED);
    expect(phaseOfRun(undefined, { state: "WAITING" }).phase).toBe(Phase.QUEUED);
    expect(phaseOfRun(undefined, { state: "RUNNING" }).phase).toBe(Phase.RUNNING);
  });
});
