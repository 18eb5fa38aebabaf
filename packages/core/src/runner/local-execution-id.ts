import { randomBytes } from "node:crypto";
import { admin, core as idl } from "@flyte-agent/flyteidl";
import type { core } from "@flyte-agent/flyteidl";

/** A fresh execution name for a local run, e.g. `local-3f9a1c2b7d`. */
export function localExecutionName(): string {
  return `local-${randomBytes(5).toString("hex")}`;
}

/**
 * task_execution_metadata for a local run: a task execution id in project "local", domain
 * "development", with a fresh execution name, so agents that derive an idempotency key from it
 * start a new job for each run.
 */
export function localExecutionMetadata(template: core.TaskTemplate, executionName: string): admin.TaskExecutionMetadata {
  const project = template.id?.project || "local";
  const domain = template.id?.domain || "development";
  return admin.TaskExecutionMetadata.fromPartial({
    taskExecutionId: {
      taskId: {
        resourceType: idl.ResourceType.TASK,
        project,
        domain,
        name: template.id?.name || template.type,
        version: template.id?.version || "local",
        org: template.id?.org ?? "",
      },
      nodeExecutionId: { nodeId: "n0", executionId: { project, domain, name: executionName, org: "" } },
      retryAttempt: 0,
    },
    namespace: `${project}-${domain}`,
    maxAttempts: 1,
  });
}
