import { createHash } from "node:crypto";
import type { admin } from "@flyte-agent/flyteidl";

/**
 * Who one task attempt is: the fields of propeller's task execution id that stay the same when
 * propeller repeats a CreateTask for the attempt (it delivers CreateTask at least once) and
 * change with the next attempt.
 */
export interface AttemptIdentity {
  readonly org: string;
  readonly project: string;
  readonly domain: string;
  /** The workflow execution's name. */
  readonly executionName: string;
  readonly nodeId: string;
  readonly taskProject: string;
  readonly taskDomain: string;
  readonly taskName: string;
  readonly taskVersion: string;
  /** 0 for the first attempt, then 1, 2, ... */
  readonly retryAttempt: number;
}

/**
 * The identity of the attempt a request belongs to, or `undefined` when the request carries no
 * execution id (a local run without propeller): then there is nothing stable to derive a key
 * from, and the caller picks a random one.
 */
export function attemptIdentity(metadata: admin.TaskExecutionMetadata | undefined): AttemptIdentity | undefined {
  const id = metadata?.taskExecutionId;
  const node = id?.nodeExecutionId;
  const execution = node?.executionId;
  if (!id || !node || !execution?.name) return undefined;
  const task = id.taskId;
  return {
    org: execution.org ?? "",
    project: execution.project ?? "",
    domain: execution.domain ?? "",
    executionName: execution.name,
    nodeId: node.nodeId ?? "",
    taskProject: task?.project ?? "",
    taskDomain: task?.domain ?? "",
    taskName: task?.name ?? "",
    taskVersion: task?.version ?? "",
    retryAttempt: id.retryAttempt ?? 0,
  };
}

/**
 * A stable idempotency key for an attempt: the sha256 (64 hex characters) of every field of the
 * identity, preceded by `namespace` when given (so two systems never share keys). The same
 * attempt always gets the same key; another attempt, node or execution never does. Pass it to
 * the external system as its idempotency token or job id, so a repeated CreateTask finds the job
 * the first one started instead of starting a second.
 */
export function idempotencyKey(identity: AttemptIdentity, namespace?: string): string {
  const parts = [
    identity.org,
    identity.project,
    identity.domain,
    identity.executionName,
    identity.nodeId,
    identity.taskProject,
    identity.taskDomain,
    identity.taskName,
    identity.taskVersion,
    String(identity.retryAttempt),
  ];
  return createHash("sha256")
    .update(JSON.stringify(namespace === undefined ? parts : [namespace, ...parts]))
    .digest("hex");
}

/**
 * A readable name for an attempt, for messages and ids a person reads:
 * `<project>-<domain>-<execution>-<node>-<attempt>` (e.g. `flytesnacks-development-abc123-n0-1`).
 * Not unique across task versions or orgs; use {@link idempotencyKey} as the key.
 */
export function attemptLabel(identity: AttemptIdentity): string {
  return [identity.project, identity.domain, identity.executionName, identity.nodeId, String(identity.retryAttempt)].join("-");
}
