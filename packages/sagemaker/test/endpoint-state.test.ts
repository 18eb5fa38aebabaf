import { Phase } from "@flyte-agent/core";
import { endpointPhase } from "../src/endpoint-state";

test("maps every EndpointStatus as the README's table says", () => {
  const table: Array<[string, Phase, string | undefined]> = [
    ["Creating", Phase.RUNNING, undefined],
    ["Updating", Phase.RUNNING, "endpoint e is Updating"],
    ["SystemUpdating", Phase.RUNNING, "endpoint e is SystemUpdating"],
    ["RollingBack", Phase.RUNNING, "endpoint e is RollingBack"],
    ["InService", Phase.SUCCEEDED, "endpoint e is InService"],
    ["Failed", Phase.FAILED, "endpoint e failed: no capacity"],
    ["OutOfService", Phase.FAILED, "endpoint e is OutOfService: no capacity; it will not come into service on its own"],
    ["Deleting", Phase.FAILED, "endpoint e is Deleting: no capacity; it will not come into service on its own"],
    [
      "UpdateRollbackFailed",
      Phase.FAILED,
      "endpoint e is UpdateRollbackFailed: no capacity; it will not come into service on its own",
    ],
  ];
  for (const [status, phase, message] of table) {
    expect([status, endpointPhase("e", status, "no capacity")]).toEqual([status, { phase, message }]);
  }
  expect(endpointPhase("e", "Failed", undefined).message).toBe("endpoint e failed: no FailureReason given");
  expect(endpointPhase("e", "Hibernating", undefined)).toEqual({
    phase: Phase.RUNNING,
    message: "endpoint e reports an unknown status Hibernating; waiting",
  });
});
