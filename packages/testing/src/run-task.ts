import { status as GrpcStatus } from "@grpc/grpc-js";
import {
  awaitTerminalPhase,
  executeTask,
  findListedAgent,
  type flyteidl,
  type PhaseChange,
  type Phase,
  type PollSettings,
  type RunEvent,
  RpcCallError,
  type TaskCategory,
  TaskRunError,
} from "@flyte-agent/core";
import { type CreateTaskInput, DEFAULT_OUTPUT_PREFIX, type PropellerClient, testExecutionMetadata } from "./propeller-client";

export { TaskRunError, findListedAgent };

/** Options of {@link PropellerClient.runTask}. */
export interface RunTaskRequest extends CreateTaskInput {
  /**
   * Pause between GetTask calls, in milliseconds (propeller: `resyncInterval`, 30 s). The pause
   * is fixed unless `maxPollIntervalMs` is larger. @default 100
   */
  pollIntervalMs?: number;
  /** Longest pause between GetTask calls when it grows while the phase stays the same. @default `pollIntervalMs` (a fixed pause) */
  maxPollIntervalMs?: number;
  /**
   * Give up when the task has not finished this long after CreateTask answered (ListAgents and
   * CreateTask have their own deadlines): DeleteTask is sent and the run rejects. @default 60000
   */
  timeoutMs?: number;
  /** Aborting it sends DeleteTask and rejects the run (a user abort in propeller). */
  signal?: AbortSignal;
  /**
   * GetTask failures tolerated in total before the task fails (then DeleteTask is sent), as in
   * propeller. Errors that cannot get better (INVALID_ARGUMENT, NOT_FOUND, ...) fail at once.
   * @default 6
   */
  maxGetTaskErrors?: number;
  /** Called with every Resource received (each GetTask reply, or the ExecuteTaskSync header). */
  onResource?: (resource: flyteidl.admin.Resource) => void;
}

/** One entry of the phase timeline: recorded when the phase propeller sees changes (core's {@link PhaseChange}). */
export type TimelineEntry = PhaseChange;

/** How a task run ended. */
export interface RunTaskResult {
  /** The last Resource (terminal). */
  resource: flyteidl.admin.Resource;
  /** Its phase as propeller reads it. */
  phase: Phase;
  /** Phase changes, in order. */
  timeline: TimelineEntry[];
  /** resource_meta from CreateTask; `undefined` for sync agents. */
  resourceMeta?: Uint8Array;
  /** True when ListAgents marked the category as sync. */
  sync: boolean;
  /** Number of GetTask calls sent. */
  getTaskCalls: number;
}

/** Options of {@link pollTask}. */
export type PollTaskOptions = Pick<
  RunTaskRequest,
  "pollIntervalMs" | "maxPollIntervalMs" | "timeoutMs" | "signal" | "maxGetTaskErrors" | "outputPrefix" | "onResource"
>;

/** The test kit's defaults on top of core's poll settings: fast, fixed polling and a 60 s limit. */
function pollSettings(options: PollTaskOptions, onEvent: (event: RunEvent) => void): PollSettings {
  const pollIntervalMs = options.pollIntervalMs ?? 100;
  return {
    pollIntervalMs,
    maxPollIntervalMs: options.maxPollIntervalMs ?? pollIntervalMs,
    timeoutMs: options.timeoutMs ?? 60_000,
    // A slow ListAgents or CreateTask on a loaded machine does not eat into the polling time.
    timeoutScope: "polling",
    signal: options.signal,
    maxGetFailures: options.maxGetTaskErrors ?? 6,
    onEvent: (event) => {
      if (event.type === "status" && event.resource) options.onResource?.(event.resource);
      onEvent(event);
    },
  };
}

/**
 * Rewords core's error for a test: "task did not finish within N ms; DeleteTask sent", the
 * abort reason, "GetTask failed N times; last error: ...". A failed call other than GetTask
 * rejects with its {@link RpcCallError} itself (`code`, `details`).
 */
function testKitError(err: unknown, options: PollTaskOptions, category: TaskCategory, getFailures: number): unknown {
  if (!(err instanceof TaskRunError)) return err;
  const cleanup =
    err.deleted === true
      ? "DeleteTask sent"
      : err.deleted === false
        ? `DeleteTask failed too: ${err.deleteError}`
        : "there was no task to delete";
  const details = {
    reason: err.reason,
    phase: err.phase,
    timeline: err.timeline,
    code: err.code,
    deleted: err.deleted,
    deleteError: err.deleteError,
    resourceMeta: err.resourceMeta,
    cause: err.cause ?? err,
  };
  switch (err.reason) {
    case "timeout":
      return new TaskRunError(`task did not finish within ${options.timeoutMs ?? 60_000} ms; ${cleanup}`, details);
    case "aborted": {
      const reason: unknown = options.signal?.reason;
      return new TaskRunError(`${reason instanceof Error ? reason.message : "run aborted"}; ${cleanup}`, details);
    }
    case "rpc":
      if (err.cause instanceof RpcCallError && err.cause.operation !== "GetTask") return err.cause;
      if (err.cause instanceof RpcCallError) {
        return new TaskRunError(`GetTask failed ${getFailures} times; last error: ${err.cause.message}`, details);
      }
      return err;
    case "invalid":
      // core's routing lookup: the category is not in ListAgents' answer
      if (err.code === GrpcStatus.NOT_FOUND) {
        return new TaskRunError(
          `no agent listed by ListAgents serves task category ${category.name}@${category.version}`,
          details,
        );
      }
      return err;
    default:
      return err;
  }
}

/** Counts GetTask failures from the run's retry events (the last failure ends the run). */
function failureCounter(): { onEvent: (event: RunEvent) => void; failures: () => number } {
  let retries = 0;
  return {
    onEvent: (event) => {
      if (event.type === "retry") retries += 1;
    },
    failures: () => retries + 1,
  };
}

/** The body of {@link PropellerClient.runTask}: core's {@link executeTask} with the test kit's defaults. */
export async function runClientTask(client: PropellerClient, request: RunTaskRequest): Promise<RunTaskResult> {
  const template = request.template;
  const category: TaskCategory = { name: template.type, version: template.taskTypeVersion };
  const counter = failureCounter();
  try {
    const run = await executeTask(client.connection, {
      template,
      inputs: request.inputs ?? { literals: {} },
      outputPrefix: request.outputPrefix ?? DEFAULT_OUTPUT_PREFIX,
      taskExecutionMetadata: request.taskExecutionMetadata ?? testExecutionMetadata(),
      ...pollSettings(request, counter.onEvent),
    });
    return {
      resource: run.resource,
      phase: run.last.phase,
      timeline: run.timeline,
      resourceMeta: run.resourceMeta && new Uint8Array(run.resourceMeta),
      sync: run.sync,
      getTaskCalls: run.getTaskCalls,
    };
  } catch (err) {
    throw testKitError(err, request, category, counter.failures());
  }
}

/**
 * Sends GetTask for an existing task until it reaches a terminal phase, as propeller does
 * after CreateTask (any replica may answer: pass a client of another server to prove it).
 * Core's {@link awaitTerminalPhase} with the test kit's defaults: sends DeleteTask and rejects
 * with {@link TaskRunError} on abort, timeout or too many GetTask errors.
 */
export async function pollTask(
  client: PropellerClient,
  category: TaskCategory,
  resourceMeta: Uint8Array,
  options: PollTaskOptions = {},
): Promise<{ resource: flyteidl.admin.Resource; phase: Phase; getTaskCalls: number; timeline: TimelineEntry[] }> {
  const counter = failureCounter();
  try {
    const run = await awaitTerminalPhase(client.connection, {
      category,
      resourceMeta,
      outputPrefix: options.outputPrefix ?? DEFAULT_OUTPUT_PREFIX,
      ...pollSettings(options, counter.onEvent),
    });
    return { resource: run.resource, phase: run.last.phase, getTaskCalls: run.getTaskCalls, timeline: run.timeline };
  } catch (err) {
    throw testKitError(err, options, category, counter.failures());
  }
}
