import type { admin, core } from "@flyte-agent/flyteidl";
import { phaseName } from "../phase";
import type { TaskCategory } from "../types";
import type { AgentConnection } from "./agent-connection";
import { RpcCallError } from "./agent-connection";
import { TaskRunError } from "./run-error";
import type { RunStop } from "./run-stop";
import type { StatusHistory } from "./task-status";
import type { RunEvent } from "./types";

/** What the GetTask loop needs: the connection, the task's category, the poll settings. */
export interface PollContext {
  readonly connection: AgentConnection;
  readonly category: TaskCategory;
  readonly outputPrefix: string;
  readonly stop: RunStop;
  readonly history: StatusHistory;
  readonly pollIntervalMs: number;
  readonly maxPollIntervalMs: number;
  /** Deadline of each unary call; undefined: the connection's defaults. */
  readonly rpcTimeoutMs: number | undefined;
  readonly maxGetFailures: number;
  /** Milliseconds since the run started. */
  elapsed(): number;
  emit(event: RunEvent): void;
}

/** Everything one run's executors share. */
export interface RunContext extends PollContext {
  readonly template: core.TaskTemplate;
  readonly inputs: core.LiteralMap;
  readonly taskExecutionMetadata: admin.TaskExecutionMetadata;
  readonly cancelGraceMs: number;
}

/** Formats milliseconds for messages: `850ms`, `2.5s`, `3m05s`. */
export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)}s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
}

/** What happened to the task when the run was stopped. */
export interface CleanupOutcome {
  /** True/false when DeleteTask was called; undefined when there was nothing to delete. */
  deleted?: boolean;
  deleteError?: string;
  /** resource_meta of the task, when CreateTask had answered. */
  resourceMeta?: Uint8Array;
  /** A sentence for the error message. */
  note: string;
}

/** The error for a run stopped by its timeout or its signal. */
export function stoppedError(ctx: PollContext, cleanup: CleanupOutcome): TaskRunError {
  const reason = ctx.stop.reason ?? "aborted";
  const last = ctx.history.last;
  const where = last ? ` (last phase ${phaseName(last.phase)})` : "";
  const what =
    reason === "timeout" ? `timed out after ${formatMs(ctx.stop.timeoutMs ?? ctx.elapsed())}${where}` : `aborted${where}`;
  return new TaskRunError(`${what}; ${cleanup.note}`, {
    reason,
    phase: last?.phase,
    timeline: ctx.history.timeline,
    deleted: cleanup.deleted,
    deleteError: cleanup.deleteError,
    resourceMeta: cleanup.resourceMeta,
  });
}

/** The error for a failed call. */
export function rpcError(ctx: PollContext, err: unknown, cleanup?: CleanupOutcome): TaskRunError {
  if (err instanceof TaskRunError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new TaskRunError(cleanup ? `${message}; ${cleanup.note}` : message, {
    reason: "rpc",
    code: err instanceof RpcCallError ? err.code : undefined,
    phase: ctx.history.last?.phase,
    timeline: ctx.history.timeline,
    deleted: cleanup?.deleted,
    deleteError: cleanup?.deleteError,
    resourceMeta: cleanup?.resourceMeta,
    cause: err,
  });
}
