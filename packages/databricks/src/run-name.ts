import type { flyteidl } from "@flyte-agent/core";

/** A readable `run_name` for the Databricks UI: task name, execution, node and attempt. */
export function runName(
  template: flyteidl.core.TaskTemplate,
  metadata: flyteidl.admin.TaskExecutionMetadata | undefined,
): string {
  const task = template.id?.name || `flyte ${template.type} task`;
  const id = metadata?.taskExecutionId;
  const exec = id?.nodeExecutionId?.executionId;
  if (!id || !exec?.name) return task;
  return `${task} (${exec.project}/${exec.domain}/${exec.name}, node ${id.nodeExecutionId?.nodeId}, attempt ${id.retryAttempt})`;
}
