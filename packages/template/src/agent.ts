import { randomUUID } from "node:crypto";
import {
  AsyncAgent,
  attemptIdentity,
  attemptLabel,
  type CreateContext,
  expectMetaFields,
  flyteidl,
  Phase,
  type Resource,
  TaskInputError,
} from "@flyte-agent/core";
import { readTaskConfig } from "./task-config";

/**
 * Everything GetTask and DeleteTask need, carried in resource_meta so that any replica can
 * answer. Keep it small (propeller stores it in etcd) and never put secrets in it.
 */
export interface CustomJobMeta {
  /** Identifies the job (derived from the execution and attempt). */
  jobId: string;
  /** When CreateTask ran (ms since the epoch). */
  startedAt: number;
  /** How long the job runs (ms). */
  durationMs: number;
  /** End FAILED instead of SUCCEEDED. */
  fail: boolean;
  /** The task inputs (protobuf LiteralMap, base64): returned as the outputs. */
  outputs: string;
}

/**
 * The job id of a task attempt: the same for a repeated CreateTask of one attempt (propeller
 * delivers CreateTask at least once). A real agent passes core's `idempotencyKey(identity)` to
 * its external system, so that the repeat finds the job instead of starting a second one. Local
 * runs without an execution id get a random id.
 */
function jobIdFor(ctx: CreateContext): string {
  const identity = attemptIdentity(ctx.taskExecutionMetadata);
  return identity ? attemptLabel(identity) : `local-${randomUUID()}`;
}

/** Largest inputs the example keeps in resource_meta. */
const MAX_INLINE_INPUT_BYTES = 640;

/**
 * The example async agent for task type `custom_task` (version 0). Its "job" needs no external
 * system: it runs for `custom.durationSeconds`, then succeeds with its inputs as outputs, or
 * fails with a message when `custom.fail` is true. Replace the bodies of `create`, `get` and
 * `delete` with calls to your system.
 */
export class CustomAsyncAgent extends AsyncAgent<CustomJobMeta> {
  readonly name = "Custom Agent";
  readonly category = { name: "custom_task", version: 0 };
  /** The keys of `template.custom` this agent reads (a task with another key is refused by `flyte-agent run`). */
  readonly customKeys = ["durationSeconds", "fail"] as const;

  /** Starts the job: here, only records what `get` needs. */
  async create(ctx: CreateContext): Promise<CustomJobMeta> {
    const { durationMs, fail } = readTaskConfig(ctx.template);
    const encoded = flyteidl.core.LiteralMap.encode(ctx.inputs).finish();
    if (encoded.length > MAX_INLINE_INPUT_BYTES) {
      throw new TaskInputError(
        `inputs are ${encoded.length} bytes; this agent keeps them in resource_meta and accepts at most ${MAX_INLINE_INPUT_BYTES}`,
      );
    }
    return {
      jobId: jobIdFor(ctx),
      startedAt: Date.now(),
      durationMs,
      fail,
      outputs: Buffer.from(encoded).toString("base64"),
    };
  }

  /** Reports the job's phase from resource_meta alone. */
  async get(meta: CustomJobMeta): Promise<Resource> {
    const left = meta.startedAt + meta.durationMs - Date.now();
    if (left > 0) return { phase: Phase.RUNNING, message: `job ${meta.jobId} running, ${Math.ceil(left / 1000)} s left` };
    if (meta.fail) return { phase: Phase.FAILED, message: `job ${meta.jobId} failed because the task set custom.fail = true` };
    const outputs = flyteidl.core.LiteralMap.decode(Buffer.from(meta.outputs, "base64"));
    return { phase: Phase.SUCCEEDED, message: `job ${meta.jobId} succeeded`, outputs };
  }

  /** Cancels the job. Nothing runs anywhere, so this is OK for finished and unknown jobs alike. */
  async delete(): Promise<void> {}

  /** Refuses resource_meta made by another agent (INVALID_ARGUMENT naming the missing field). */
  protected override validateMeta(value: unknown): CustomJobMeta {
    return expectMetaFields<CustomJobMeta>(value, {
      jobId: "string",
      startedAt: "number",
      durationMs: "number",
      fail: "boolean",
      outputs: "string",
    });
  }
}
