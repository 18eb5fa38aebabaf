import { status as Status } from "@grpc/grpc-js";
import type { admin } from "@flyte-agent/flyteidl";
import { isTerminalPhase } from "../phase";
import { RpcCallError } from "./agent-connection";
import { PollBackoff, sleep } from "./backoff";
import { type CleanupOutcome, type PollContext, type RunContext, rpcError, stoppedError } from "./run-context";
import { toTaskStatus } from "./task-status";

/** GetTask errors that another try cannot fix. */
const PERMANENT_CODES = new Set<Status>([
  Status.INVALID_ARGUMENT,
  Status.NOT_FOUND,
  Status.UNIMPLEMENTED,
  Status.PERMISSION_DENIED,
  Status.UNAUTHENTICATED,
  Status.FAILED_PRECONDITION,
  Status.OUT_OF_RANGE,
]);

/**
 * CreateTask. When the run is stopped while the call is in flight, the call is given
 * `cancelGraceMs` to answer (so the job it started can be deleted) before it is cancelled.
 * @returns resource_meta, or undefined when the run was stopped before it came back
 */
async function create(ctx: RunContext): Promise<Buffer | undefined> {
  const cancel = new AbortController();
  let grace: NodeJS.Timeout | undefined;
  const onStop = () => {
    grace = setTimeout(() => cancel.abort(), ctx.cancelGraceMs);
  };
  ctx.stop.signal.addEventListener("abort", onStop, { once: true });
  try {
    const res = await ctx.connection.createTask(
      {
        template: ctx.template,
        inputs: ctx.inputs,
        outputPrefix: ctx.outputPrefix,
        taskExecutionMetadata: ctx.taskExecutionMetadata,
      },
      ctx.rpcTimeoutMs,
      cancel.signal,
    );
    ctx.emit({ type: "created", resourceMetaBytes: res.resourceMeta.length, elapsedMs: ctx.elapsed() });
    return res.resourceMeta;
  } catch (err) {
    if (ctx.stop.stopped) return undefined;
    throw rpcError(ctx, err);
  } finally {
    if (grace) clearTimeout(grace);
    ctx.stop.signal.removeEventListener("abort", onStop);
  }
}

/** DeleteTask, never throwing: reports how it went. */
async function deleteTask(
  ctx: PollContext,
  resourceMeta: Buffer,
  reason: "timeout" | "aborted" | "error",
): Promise<CleanupOutcome> {
  ctx.emit({ type: "deleting", reason, elapsedMs: ctx.elapsed() });
  try {
    await ctx.connection.deleteTask(
      {
        taskType: ctx.category.name,
        taskCategory: { name: ctx.category.name, version: ctx.category.version },
        resourceMeta,
      },
      ctx.rpcTimeoutMs,
    );
    ctx.emit({ type: "deleted", ok: true, elapsedMs: ctx.elapsed() });
    return { deleted: true, resourceMeta, note: "the task was deleted" };
  } catch (err) {
    // The reason without the operation: the display and the note say "DeleteTask failed" once.
    const reason = err instanceof RpcCallError ? err.summary : err instanceof Error ? err.message : String(err);
    ctx.emit({ type: "deleted", ok: false, error: reason, elapsedMs: ctx.elapsed() });
    return {
      deleted: false,
      deleteError: reason,
      resourceMeta,
      note: `the task may still be running (DeleteTask failed: ${reason})`,
    };
  }
}

async function stopped(ctx: PollContext, resourceMeta: Buffer | undefined): Promise<never> {
  const cleanup: CleanupOutcome = resourceMeta
    ? await deleteTask(ctx, resourceMeta, ctx.stop.reason ?? "aborted")
    : { note: "CreateTask had not answered, so there was nothing to delete" };
  throw stoppedError(ctx, cleanup);
}

/**
 * Runs an async task the way propeller does: CreateTask, then {@link pollUntilTerminal}.
 * @returns the terminal Resource and the task's resource_meta
 */
export async function runAsync(ctx: RunContext): Promise<{ resource: admin.Resource; resourceMeta: Buffer }> {
  const resourceMeta = await create(ctx);
  if (!resourceMeta || ctx.stop.stopped) return stopped(ctx, resourceMeta);
  ctx.stop.startTimer();
  return { resource: await pollUntilTerminal(ctx, resourceMeta), resourceMeta };
}

/**
 * The GetTask loop: a GetTask right away, then GetTask with backoff until a terminal phase
 * (SUCCEEDED, FAILED, ABORTED or RETRYABLE_FAILED). Errors that cannot get better fail at once,
 * others are retried up to `maxGetFailures` in total. On timeout, abort, or when polling gives
 * up, the task is deleted.
 * @returns the terminal Resource
 */
export async function pollUntilTerminal(ctx: PollContext, resourceMeta: Buffer): Promise<admin.Resource> {
  if (ctx.stop.stopped) return stopped(ctx, resourceMeta);
  const backoff = new PollBackoff({ initialMs: ctx.pollIntervalMs, maxMs: ctx.maxPollIntervalMs });
  let failures = 0;
  for (;;) {
    let resource: admin.Resource | undefined;
    try {
      const res = await ctx.connection.getTask(
        {
          taskType: ctx.category.name,
          taskCategory: { name: ctx.category.name, version: ctx.category.version },
          resourceMeta,
          outputPrefix: ctx.outputPrefix,
        },
        ctx.rpcTimeoutMs,
        ctx.stop.signal,
      );
      resource = res.resource;
      if (!resource) throw new RpcCallError("GetTask", Status.INTERNAL, "the reply has no resource");
    } catch (err) {
      if (ctx.stop.stopped) return stopped(ctx, resourceMeta);
      failures += 1;
      const permanent = err instanceof RpcCallError && PERMANENT_CODES.has(err.code);
      if (permanent || failures >= ctx.maxGetFailures) {
        throw rpcError(ctx, err, await deleteTask(ctx, resourceMeta, "error"));
      }
      const message = err instanceof Error ? err.message : String(err);
      ctx.emit({ type: "retry", operation: "get", error: message, failures, elapsedMs: ctx.elapsed() });
      await sleep(backoff.next(false), ctx.stop.signal);
      continue;
    }
    const status = toTaskStatus(resource, ctx.elapsed());
    const phaseChanged = ctx.history.record(status);
    ctx.emit({ type: "status", status, phaseChanged, resource });
    if (isTerminalPhase(status.phase)) return resource;
    await sleep(backoff.next(phaseChanged), ctx.stop.signal);
    if (ctx.stop.stopped) return stopped(ctx, resourceMeta);
  }
}
