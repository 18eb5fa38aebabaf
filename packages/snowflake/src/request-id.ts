import { createHash, randomUUID } from "node:crypto";
import { attemptIdentity, type flyteidl, idempotencyKey } from "@flyte-agent/core";

/** Namespace of this plugin's attempt keys, so they are never shared with another system's. */
const NAMESPACE = "flyte-agent-snowflake/v1";

/**
 * The SQL API `requestId` of a task attempt: the same for every CreateTask of one attempt
 * (propeller delivers CreateTask at least once) and different across attempts, so a repeated
 * submission finds the statement already running instead of starting it again. It is core's
 * idempotency key of the attempt with `requestDigest` (a digest of the statement request) mixed
 * in, so two different tasks under the same attempt never share a statement, written as a UUID
 * (the form Snowflake requires). Without an execution id (a local run) it is random.
 */
export function attemptRequestId(metadata: flyteidl.admin.TaskExecutionMetadata | undefined, requestDigest: string): string {
  const identity = attemptIdentity(metadata);
  if (!identity) return randomUUID();
  const key = idempotencyKey(identity, NAMESPACE);
  return uuidFromDigest(
    createHash("sha256")
      .update(JSON.stringify([key, requestDigest]))
      .digest(),
  );
}

/** An RFC 9562 UUID (version 8, "custom") made of the first 16 bytes of a digest. */
function uuidFromDigest(digest: Buffer): string {
  const b = Buffer.from(digest.subarray(0, 16));
  b[6] = (b[6]! & 0x0f) | 0x80;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = b.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
