import { createHash, randomUUID } from "node:crypto";
import type { flyteidl } from "@flyte-agent/core";

/**
 * The SQL API `requestId` of a task attempt: a UUID that is the same for every CreateTask of one
 * attempt (propeller delivers CreateTask at least once) and different across attempts, so a
 * repeated submission finds the statement already running instead of starting it again.
 * `extra` (e.g. a digest of the request) is mixed in, so two different requests never share an
 * id. Without an execution id (a local run) it is random.
 */
export function attemptRequestId(metadata: flyteidl.admin.TaskExecutionMetadata | undefined, ...extra: string[]): string {
  const id = metadata?.taskExecutionId;
  const node = id?.nodeExecutionId;
  const exec = node?.executionId;
  if (!id || !node || !exec?.name) return randomUUID();
  const task = id.taskId;
  const parts = [
    "flyte-agent-snowflake/v1",
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
    ...extra,
  ];
  return uuidFromDigest(createHash("sha256").update(JSON.stringify(parts)).digest());
}

/** An RFC 9562 UUID (version 8, "custom") made of the first 16 bytes of a digest. */
function uuidFromDigest(digest: Buffer): string {
  const b = Buffer.from(digest.subarray(0, 16));
  b[6] = (b[6]! & 0x0f) | 0x80;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = b.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
