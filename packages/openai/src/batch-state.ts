import { Phase, type Resource } from "@flyte-agent/core";

/** Batch statuses still in progress (RUNNING). */
export const RUNNING_STATUSES: readonly string[] = ["validating", "in_progress", "finalizing"];
/** Batch statuses that end the task as FAILED (flytekit's mapping). */
export const FAILED_STATUSES: readonly string[] = ["failed", "cancelled", "cancelling", "expired"];

/** The parts of a batch object the phase depends on. */
export interface BatchStatus {
  readonly id?: unknown;
  readonly status?: unknown;
  readonly errors?: unknown;
}

/**
 * The phase of a batch, as flytekit maps it: `validating`, `in_progress`, `finalizing` are
 * RUNNING, `completed` SUCCEEDED, `failed`, `cancelled`, `cancelling`, `expired` FAILED with the
 * batch's first error as the message (or one naming the status when the batch has none). A status
 * OpenAI adds later is RUNNING with a message naming it (flytekit fails the call with an error).
 */
export function phaseOfBatch(batch: BatchStatus): Pick<Resource, "phase" | "message"> {
  const status = typeof batch.status === "string" ? batch.status : "";
  if (RUNNING_STATUSES.includes(status)) return { phase: Phase.RUNNING, message: `batch ${status}` };
  if (status === "completed") return { phase: Phase.SUCCEEDED, message: "batch completed" };
  if (FAILED_STATUSES.includes(status)) {
    const first = firstError(batch.errors);
    return { phase: Phase.FAILED, message: first ?? `batch ${String(batch.id)} is ${status}` };
  }
  return { phase: Phase.RUNNING, message: `batch status "${status.slice(0, 64)}" is unknown to this agent; polling on` };
}

function firstError(errors: unknown): string | undefined {
  const data = (errors as { data?: unknown } | null | undefined)?.data;
  if (!Array.isArray(data) || data.length === 0) return undefined;
  const e = data[0] as { message?: unknown; code?: unknown; line?: unknown };
  if (typeof e?.message !== "string" || e.message === "") return undefined;
  const where = typeof e.line === "number" ? ` (line ${e.line})` : "";
  const code = typeof e.code === "string" ? `${e.code}: ` : "";
  return `${code}${e.message}${where}`.slice(0, 1000);
}
