import { createHash, randomUUID } from "node:crypto";
import type { flyteidl } from "@flyte-agent/core";

/**
 * The `idempotency_token` of a run: the same for every CreateTask of one task attempt (propeller
 * delivers CreateTask at least once), different across attempts. A sha256 hex digest, which is
 * exactly the 64 characters the Jobs API allows. Without an execution id (a local run) a random
 * token still makes retries inside one call safe.
 */
export function idempotencyToken(metadata: flyteidl.admin.TaskExecutionMetadata | undefined): string {
  const id = metadata?.taskExecutionId;
  const node = id?.nodeExecutionId;
  const exec = node?.executionId;
  if (!id || !node || !exec?.name) return createHash("sha256").update(randomUUID()).digest("hex");
  const task = id.taskId;
  const parts = [
    "flyte-agent-databricks/v1",
    exec.org ?? "",
    exec.project,
    exec.domain,
    exec.name,
    node.nodeId,
    task?.project ?? "",
    task?.domain ?? "",
    task?.name ?? "",
    task?.version ?? "",
    String(id.retryAttempt),
  ];
  return createHash("sha256").update(JSON.stringify(parts)).digest("hex");
}
