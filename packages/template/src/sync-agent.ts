import { type ExecuteContext, Phase, type Resource, SyncAgent } from "@flyte-agent/core";
import { readTaskConfig } from "./task-config";

/**
 * The example sync agent for task type `custom_sync_task` (version 0): answers ExecuteTaskSync
 * at once with its inputs as outputs (or FAILED when `custom.fail` is true). Use a sync agent
 * only for work that finishes well within propeller's deadline (`ExecuteTaskSync`, 10 s by
 * default).
 */
export class CustomSyncAgent extends SyncAgent {
  readonly name = "Custom Sync Agent";
  readonly category = { name: "custom_sync_task", version: 0 };
  /** The keys of `template.custom` this agent reads. */
  readonly customKeys = ["durationSeconds", "fail"] as const;

  async do(ctx: ExecuteContext): Promise<Resource> {
    const { fail } = readTaskConfig(ctx.template);
    if (fail) return { phase: Phase.FAILED, message: "failed because the task set custom.fail = true" };
    return { phase: Phase.SUCCEEDED, outputs: ctx.inputs };
  }
}
