import { status as Status } from "@grpc/grpc-js";
import type { admin } from "@flyte-agent/flyteidl";
import { isTerminalPhase, phaseName } from "../phase";
import { type RunContext, rpcError, stoppedError } from "./run-context";
import { RpcCallError } from "./agent-connection";
import { toTaskStatus } from "./task-status";

/**
 * Runs a sync task the way propeller does: one ExecuteTaskSync stream (header, inputs,
 * half-close), one reply holding a terminal Resource. A stop cancels the stream (a sync task
 * has nothing to delete).
 * @returns the terminal Resource
 */
export async function runSync(ctx: RunContext): Promise<admin.Resource> {
  const remaining =
    ctx.stop.timeoutMs === undefined || !ctx.stop.timerStarted ? undefined : Math.max(1, ctx.stop.timeoutMs - ctx.elapsed());
  let resource: admin.Resource;
  try {
    resource = await ctx.connection.executeTaskSync(
      {
        template: ctx.template,
        outputPrefix: ctx.outputPrefix,
        taskExecutionMetadata: ctx.taskExecutionMetadata,
        maxDatasetSizeBytes: 0n,
      },
      ctx.inputs,
      remaining,
      ctx.stop.signal,
    );
  } catch (err) {
    if (ctx.stop.stopped) throw stoppedError(ctx, { note: "the ExecuteTaskSync call was cancelled" });
    throw rpcError(ctx, err);
  }
  const status = toTaskStatus(resource, ctx.elapsed());
  ctx.emit({ type: "status", status, phaseChanged: ctx.history.record(status), resource });
  if (!isTerminalPhase(status.phase)) {
    throw rpcError(
      ctx,
      new RpcCallError(
        "ExecuteTaskSync",
        Status.INTERNAL,
        `the reply is in phase ${phaseName(status.phase)}, not a terminal phase`,
      ),
    );
  }
  return resource;
}
