import { randomUUID } from "node:crypto";
import type { flyteidl } from "@flyte-agent/core";

/**
 * A job id derived from the task execution and its attempt, so a repeated CreateTask for the
 * same attempt (propeller delivers it at least once) names the same job. A real agent passes it
 * to the external system as an idempotency key. Local runs without an execution id get a
 * random one.
 */
export function jobIdFor(metadata: flyteidl.admin.TaskExecutionMetadata | undefined): string {
  const id = metadata?.taskExecutionId;
  const exec = id?.nodeExecutionId?.executionId;
  if (!id || !exec?.name) return `local-${randomUUID()}`;
  return [exec.project, exec.domain, exec.name, id.nodeExecutionId?.nodeId ?? "", String(id.retryAttempt)].join("-");
}
