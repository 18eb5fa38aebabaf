import { createHash, randomUUID } from "node:crypto";
import type { flyteidl } from "@flyte-agent/core";

/** Characters BigQuery allows in a job id (letters, digits, `_`, `-`). */
function clean(text: string, max: number): string {
  return text.replace(/[^A-Za-z0-9_-]+/g, "-").slice(0, max);
}

/**
 * The BigQuery job id of one task attempt. Derived from the task execution id (project,
 * domain, execution, node, task, retry attempt), so a repeated CreateTask for the same attempt
 * names the same job and BigQuery refuses to run it twice. Readable prefix, then a hash of the
 * whole identity. Without an execution id (local runs) the per-attempt output prefix is used,
 * and without that a random id.
 */
export function deriveJobId(metadata: flyteidl.admin.TaskExecutionMetadata | undefined, outputPrefix: string): string {
  const id = metadata?.taskExecutionId;
  const execution = id?.nodeExecutionId?.executionId;
  if (id && execution?.name) {
    const task = id.taskId;
    const identity = [
      execution.org,
      execution.project,
      execution.domain,
      execution.name,
      id.nodeExecutionId?.nodeId ?? "",
      task?.project ?? "",
      task?.domain ?? "",
      task?.name ?? "",
      task?.version ?? "",
      String(id.retryAttempt),
    ];
    const hash = createHash("sha256").update(JSON.stringify(identity)).digest("hex").slice(0, 24);
    const node = clean(id.nodeExecutionId?.nodeId ?? "", 40);
    return `flyte_${clean(execution.name, 40)}_${node}_${id.retryAttempt}_${hash}`;
  }
  if (outputPrefix) {
    return `flyte_${createHash("sha256").update(outputPrefix).digest("hex").slice(0, 32)}`;
  }
  return `flyte_${randomUUID().replace(/-/g, "")}`;
}
