import type { status } from "@grpc/grpc-js";
import type { Phase } from "../types";
import type { PhaseChange } from "./types";

/**
 * Why a run did not succeed:
 * - `failed`: the agent reported FAILED, RETRYABLE_FAILED or ABORTED;
 * - `timeout`: `timeoutMs` passed (the task was deleted);
 * - `aborted`: the signal fired (the task was deleted);
 * - `rpc`: a call to the agent service failed;
 * - `invalid`: the template or inputs are wrong, or no agent serves the task.
 */
export type RunFailureReason = "failed" | "timeout" | "aborted" | "rpc" | "invalid";

/** Details of a {@link TaskRunError}. */
export interface TaskRunErrorDetails {
  reason: RunFailureReason;
  /** The last phase the agent reported, if any. */
  phase?: Phase;
  /** The phases seen before the run ended. */
  timeline?: PhaseChange[];
  /** gRPC status code when a call failed. */
  code?: status;
  /** Whether DeleteTask was called and answered OK (undefined: not called). */
  deleted?: boolean;
  /** Why DeleteTask failed, when it did. */
  deleteError?: string;
}

/** The error {@link runTask} rejects with when the task does not succeed. */
export class TaskRunError extends Error {
  /** Why the run ended. */
  readonly reason: RunFailureReason;
  /** The last phase the agent reported, if any. */
  readonly phase?: Phase;
  /** The phases seen before the run ended. */
  readonly timeline: PhaseChange[];
  /** gRPC status code when a call failed. */
  readonly code?: status;
  /** Whether DeleteTask was called and answered OK (undefined: not called). */
  readonly deleted?: boolean;
  /** Why DeleteTask failed, when it did. */
  readonly deleteError?: string;

  constructor(message: string, details: TaskRunErrorDetails) {
    super(message);
    this.name = "TaskRunError";
    this.reason = details.reason;
    this.phase = details.phase;
    this.timeline = details.timeline ?? [];
    this.code = details.code;
    this.deleted = details.deleted;
    this.deleteError = details.deleteError;
  }
}
