import type { admin } from "@flyte-agent/flyteidl";
import { attemptIdentity, attemptLabel, idempotencyKey } from "./attempt-identity";

function metadata(name: string, retryAttempt: number, nodeId = "n0", version = "v1"): admin.TaskExecutionMetadata {
  const ids = { project: "flytesnacks", domain: "development", org: "" };
  return {
    taskExecutionId: {
      taskId: { resourceType: 1, ...ids, name: "wf.task", version },
      nodeExecutionId: { nodeId, executionId: { ...ids, name } },
      retryAttempt,
    },
  } as admin.TaskExecutionMetadata;
}

describe("attempt identity", () => {
  test("reads the attempt's fields; undefined without an execution id", () => {
    expect(attemptIdentity(metadata("abc", 2))).toEqual({
      org: "",
      project: "flytesnacks",
      domain: "development",
      executionName: "abc",
      nodeId: "n0",
      taskProject: "flytesnacks",
      taskDomain: "development",
      taskName: "wf.task",
      taskVersion: "v1",
      retryAttempt: 2,
    });
    expect(attemptIdentity(undefined)).toBeUndefined();
    expect(attemptIdentity({} as admin.TaskExecutionMetadata)).toBeUndefined();
  });

  test("the key is stable per attempt and differs across attempts, nodes, versions and namespaces", () => {
    const key = (m: admin.TaskExecutionMetadata, ns?: string) => idempotencyKey(attemptIdentity(m)!, ns);
    const first = key(metadata("abc", 0));
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(key(metadata("abc", 0))).toBe(first);
    const others = [
      key(metadata("abc", 1)),
      key(metadata("abd", 0)),
      key(metadata("abc", 0, "n1")),
      key(metadata("abc", 0, "n0", "v2")),
      key(metadata("abc", 0), "system-a"),
    ];
    expect(new Set([first, ...others]).size).toBe(6);
    // The exact digest is part of the contract: keys must survive an upgrade of the agent.
    expect(first).toBe(
      require("node:crypto")
        .createHash("sha256")
        .update(
          JSON.stringify(["", "flytesnacks", "development", "abc", "n0", "flytesnacks", "development", "wf.task", "v1", "0"]),
        )
        .digest("hex"),
    );
  });

  test("the label is readable", () => {
    expect(attemptLabel(attemptIdentity(metadata("abc", 1))!)).toBe("flytesnacks-development-abc-n0-1");
  });
});
