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
  /** resource_meta of the task, when CreateTask had answered. */
  resourceMeta?: Uint8Array;
  /** The error that ended the run, if any (e.g. the failed call's {@link RpcCallError}). */
  cause?: unknown;
}

/**
 * The error {@link runTask}, {@link executeTask} and {@link awaitTerminalPhase} reject with when
 * the task does not succeed (the test kit's runs reject with it too).
 */
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
  /** resource_meta of the task, when CreateTask had answered. */
  readonly resourceMeta?: Uint8Array;

  constructor(message: string, details: TaskRunErrorDetails) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = "TaskRunError";
    this.reason = details.reason;
    this.phase = details.phase;
    this.timeline = details.timeline ?? [];
    this.code = details.code;
    this.deleted = details.deleted;
    this.deleteError = details.deleteError;
    this.resourceMeta = details.resourceMeta;
  }
}
