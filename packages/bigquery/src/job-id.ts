import { createHash, randomUUID } from "node:crypto";
import { attemptIdentity, type flyteidl, idempotencyKey } from "@flyte-agent/core";

/** Characters BigQuery allows in a job id (letters, digits, `_`, `-`). */
function clean(text: string, max: number): string {
  return text.replace(/[^A-Za-z0-9_-]+/g, "-").slice(0, max);
}

/**
 * The BigQuery job id of one task attempt, from core's attempt identity: a repeated CreateTask
 * for the same attempt names the same job, and BigQuery refuses to run it twice. Readable
 * prefix (execution, node, attempt), then part of the attempt's idempotency key. Without an
 * execution id (local runs) the per-attempt output prefix is used, and without that a random id.
 */
export function deriveJobId(metadata: flyteidl.admin.TaskExecutionMetadata | undefined, outputPrefix: string): string {
  const identity = attemptIdentity(metadata);
  if (identity) {
    const hash = idempotencyKey(identity).slice(0, 24);
    return `flyte_${clean(identity.executionName, 40)}_${clean(identity.nodeId, 40)}_${identity.retryAttempt}_${hash}`;
  }
  if (outputPrefix) {
    return `flyte_${createHash("sha256").update(outputPrefix).digest("hex").slice(0, 32)}`;
  }
  return `flyte_${randomUUID().replace(/-/g, "")}`;
}
