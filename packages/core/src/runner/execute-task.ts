import type { admin, core } from "@flyte-agent/flyteidl";
import type { LogLink, TaskCategory } from "../types";
import type { AgentConnection } from "./agent-connection";
import { isSyncCategory } from "./agent-kind";
import { pollUntilTerminal, runAsync } from "./run-async";
import { type PollContext, type RunContext, rpcError, stoppedError } from "./run-context";
import { TaskRunError } from "./run-error";
import { RunStop } from "./run-stop";
import { runSync } from "./run-sync";
import { StatusHistory } from "./task-status";
import type { PhaseChange, RunEvent, TaskStatus } from "./types";

/** How a run waits, retries and gives up. Every field has a default. */
export interface PollSettings {
  /** Give up after this many milliseconds (the task is deleted, reason `"timeout"`). @default no limit */
  timeoutMs?: number;
  /** Stops the run (the task is deleted, reason `"aborted"`). */
  signal?: AbortSignal;
  /** First wait between two GetTask calls, in milliseconds. @default 1000 */
  pollIntervalMs?: number;
  /**
   * Longest wait between two GetTask calls: the wait grows by half while the phase stays the
   * same, and starts over when it changes. Equal to `pollIntervalMs` for a fixed interval.
   * @default 10000
   */
  maxPollIntervalMs?: number;
  /** Deadline of each CreateTask, GetTask, DeleteTask and ListAgents call. @default the connection's timeouts */
  rpcTimeoutMs?: number;
  /**
   * GetTask failures tolerated in total before the run fails (propeller gives up after 6).
   * Errors that cannot get better (INVALID_ARGUMENT, NOT_FOUND, ...) fail at once. @default 6
   */
  maxGetFailures?: number;
  /**
   * What `timeoutMs` covers: the whole run, or only the GetTask loop once CreateTask has answered
   * (a sync task then has only the connection's ExecuteTaskSync deadline). @default "run"
   */
  timeoutScope?: "run" | "polling";
  /** Receives progress: phases (with the Resource as received), retries, deletion. */
  onEvent?: (event: RunEvent) => void;
}

/** The settings with their defaults applied and checked. */
export interface ResolvedPollSettings {
  timeoutMs: number | undefined;
  pollIntervalMs: number;
  maxPollIntervalMs: number;
  rpcTimeoutMs: number | undefined;
  maxGetFailures: number;
}

const invalid = (message: string) => new TaskRunError(message, { reason: "invalid" });

/** `value`, or `fallback` when undefined; anything but a positive number fails with reason `invalid`. */
export function positiveMs<T extends number | undefined>(name: string, value: number | undefined, fallback: T): number | T {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw invalid(`${name} must be a positive number of milliseconds, got ${value}`);
  return value;
}

/** Applies the defaults of {@link PollSettings} and checks every value. */
export function resolvePollSettings(settings: PollSettings): ResolvedPollSettings {
  const pollIntervalMs = positiveMs("pollIntervalMs", settings.pollIntervalMs, 1000);
  return {
    timeoutMs: positiveMs("timeoutMs", settings.timeoutMs, undefined),
    pollIntervalMs,
    maxPollIntervalMs: Math.max(pollIntervalMs, positiveMs("maxPollIntervalMs", settings.maxPollIntervalMs, 10_000)),
    rpcTimeoutMs: positiveMs("rpcTimeoutMs", settings.rpcTimeoutMs, undefined),
    maxGetFailures: Math.floor(positiveMs("maxGetFailures", settings.maxGetFailures, 6)),
  };
}

/** Calls the listener, never letting it break the run. */
function safeEmitter(listener: ((event: RunEvent) => void) | undefined): (event: RunEvent) => void {
  return (event) => {
    try {
      listener?.(event);
    } catch {
      // a failing progress listener must not break the run
    }
  };
}

/** What {@link executeTask} and {@link awaitTerminalPhase} report about a finished run. */
export interface TaskExecution {
  /** The terminal Resource (any terminal phase: SUCCEEDED, FAILED, ABORTED, RETRYABLE_FAILED). */
  resource: admin.Resource;
  /** The last status, in plain form. */
  last: TaskStatus;
  /** Each phase the task went through, in order. */
  timeline: PhaseChange[];
  /** Every log link reported, without duplicates. */
  logLinks: LogLink[];
  /** Number of GetTask calls sent (0 for a sync task). */
  getTaskCalls: number;
  /** Milliseconds from start to the terminal phase. */
  durationMs: number;
}

/** Shared plumbing of one run: stop signal, history, event counting. */
class RunState {
  readonly started = Date.now();
  readonly stop: RunStop;
  readonly history = new StatusHistory();
  getTaskCalls = 0;
  readonly emit: (event: RunEvent) => void;

  constructor(settings: ResolvedPollSettings, options: PollSettings) {
    this.stop = new RunStop(settings.timeoutMs, options.signal, options.timeoutScope !== "polling");
    const onEvent = options.onEvent;
    const forward = safeEmitter(onEvent);
    this.emit = (event) => {
      if ((event.type === "status" && event.resource && this.counting) || event.type === "retry") this.getTaskCalls += 1;
      forward(event);
    };
  }

  /** True while GetTask replies are being counted (not for an ExecuteTaskSync reply). */
  counting = false;

  elapsed = (): number => Date.now() - this.started;

  finish(resource: admin.Resource): TaskExecution {
    const last = this.history.last;
    if (!last) throw new TaskRunError("the run ended without a status", { reason: "rpc" });
    return {
      resource,
      last,
      timeline: this.history.timeline,
      logLinks: this.history.logLinks,
      getTaskCalls: this.getTaskCalls,
      durationMs: this.elapsed(),
    };
  }
}

/** Options of {@link awaitTerminalPhase}. */
export interface AwaitTerminalPhaseOptions extends PollSettings {
  /** The task's category (sent as `task_category` and, deprecated, `task_type`). */
  category: TaskCategory;
  /** resource_meta returned by CreateTask. */
  resourceMeta: Uint8Array;
  /** `output_prefix` sent with each GetTask. */
  outputPrefix: string;
}

/**
 * Polls an existing async task with GetTask until a terminal phase, the way propeller does after
 * CreateTask (any replica may answer: pass a connection to another server to prove it). On
 * timeout, abort, or when GetTask keeps failing, the task is deleted.
 * @throws {@link TaskRunError} when the run stops before a terminal phase
 */
export async function awaitTerminalPhase(
  connection: AgentConnection,
  options: AwaitTerminalPhaseOptions,
): Promise<TaskExecution> {
  const settings = resolvePollSettings(options);
  const state = new RunState(settings, { ...options, timeoutScope: "run" });
  state.counting = true;
  const ctx: PollContext = {
    connection,
    category: options.category,
    outputPrefix: options.outputPrefix,
    stop: state.stop,
    history: state.history,
    ...settings,
    elapsed: state.elapsed,
    emit: state.emit,
  };
  try {
    return state.finish(await pollUntilTerminal(ctx, Buffer.from(options.resourceMeta)));
  } finally {
    state.stop.dispose();
  }
}

/** Options of {@link executeTask}. */
export interface ExecuteTaskOptions extends PollSettings {
  /** The task template; its `type` and `taskTypeVersion` pick the agent. */
  template: core.TaskTemplate;
  /** The inputs, as literals. */
  inputs: core.LiteralMap;
  /** `output_prefix` sent to the agent. */
  outputPrefix: string;
  /** `task_execution_metadata` sent with CreateTask / ExecuteTaskSync. */
  taskExecutionMetadata: admin.TaskExecutionMetadata;
  /**
   * When the run is stopped while CreateTask is still running, how long to wait for its answer
   * so that the started job can be deleted, in milliseconds. @default 10000
   */
  cancelGraceMs?: number;
  /** How to name the service in errors, e.g. `"among the loaded plugins"`. @default `at <target>` */
  where?: string;
  /** How to name the target in the `started` event, e.g. `"in-process"`. @default the connection's target */
  targetLabel?: string;
}

/** What {@link executeTask} reports: the run, and which path it took. */
export interface ExecutedTask extends TaskExecution {
  /** True when ListAgents routed the task to ExecuteTaskSync. */
  sync: boolean;
  /** resource_meta from CreateTask; undefined for a sync task. */
  resourceMeta?: Buffer;
}

/** The task category named by a template; a template without a type fails with reason `invalid`. */
export function categoryOf(template: core.TaskTemplate | undefined): TaskCategory {
  if (!template || typeof template !== "object") throw invalid("a task template is required");
  if (!template.type) throw invalid("the task template has no type (the task category name)");
  return { name: template.type, version: template.taskTypeVersion ?? 0 };
}

/**
 * Runs one task on a connection to its terminal phase, the way propeller does: ListAgents
 * decides the path; sync categories use one ExecuteTaskSync stream, async ones CreateTask and
 * then {@link awaitTerminalPhase}'s loop. It does not judge the outcome: a FAILED task resolves
 * too (use {@link runTask} for "outputs or an error").
 * @throws {@link TaskRunError} when the run stops before a terminal phase
 */
export async function executeTask(connection: AgentConnection, options: ExecuteTaskOptions): Promise<ExecutedTask> {
  const category = categoryOf(options.template);
  const settings = resolvePollSettings(options);
  const cancelGraceMs = positiveMs("cancelGraceMs", options.cancelGraceMs, 10_000);
  const state = new RunState(settings, options);
  const ctx: RunContext = {
    connection,
    category,
    template: options.template,
    inputs: options.inputs,
    outputPrefix: options.outputPrefix,
    taskExecutionMetadata: options.taskExecutionMetadata,
    stop: state.stop,
    history: state.history,
    ...settings,
    cancelGraceMs,
    elapsed: state.elapsed,
    emit: state.emit,
  };
  try {
    let sync: boolean;
    try {
      sync = await isSyncCategory(connection, category, settings.rpcTimeoutMs, state.stop.signal, options.where);
    } catch (err) {
      if (state.stop.stopped) throw stoppedError(ctx, { note: "no task had been started" });
      throw rpcError(ctx, err);
    }
    state.emit({
      type: "started",
      target: options.targetLabel ?? connection.target,
      category,
      sync,
      outputPrefix: options.outputPrefix,
      protocol: connection.protocol,
    });
    if (sync) return { ...state.finish(await runSync(ctx)), sync };
    state.counting = true;
    const { resource, resourceMeta } = await runAsync(ctx);
    return { ...state.finish(resource), sync, resourceMeta };
  } finally {
    state.stop.dispose();
  }
}
