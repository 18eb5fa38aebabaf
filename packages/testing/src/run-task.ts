import { type flyteidl, isTerminalPhase, type Phase, phaseName, type TaskCategory } from "@flyte-agent/core";
import type { CreateTaskInput, PropellerClient } from "./propeller-client";
import { effectivePhase } from "./resource-phase";

/** Options of {@link PropellerClient.runTask}. */
export interface RunTaskRequest extends CreateTaskInput {
  /** Pause between GetTask calls (propeller: `resyncInterval`, 30 s). @default 100 */
  pollIntervalMs?: number;
  /** Give up after this long: DeleteTask is sent and the run rejects. @default 60000 */
  timeoutMs?: number;
  /** Aborting it sends DeleteTask and rejects the run (a user abort in propeller). */
  signal?: AbortSignal;
  /** GetTask failures tolerated in total before the task fails, as in propeller. @default 6 */
  maxGetTaskErrors?: number;
  /** Called with every Resource received (each GetTask reply, or the ExecuteTaskSync header). */
  onResource?: (resource: flyteidl.admin.Resource) => void;
}

/** One entry of the phase timeline: recorded when the phase propeller sees changes. */
export interface TimelineEntry {
  /** The phase (from `phase`, else the deprecated `state`, as propeller reads it). */
  phase: Phase;
  /** Upper-case phase name, e.g. `"RUNNING"`. */
  phaseName: string;
  /** The Resource's message. */
  message: string;
  /** When the reply arrived. */
  at: Date;
}

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

/** A run that did not reach a terminal phase: aborted, timed out, or GetTask failed too often. */
export class TaskRunError extends Error {
  constructor(
    message: string,
    /** Phase changes seen before the run stopped. */
    readonly timeline: TimelineEntry[],
    /** resource_meta of the task, when it was created. */
    readonly resourceMeta: Uint8Array | undefined,
    /** The error that stopped the run, if any (e.g. the last GetTask error). */
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = "TaskRunError";
  }
}

/** Finds the ListAgents entry for a category the way propeller builds its routing table. */
export function findListedAgent(agents: flyteidl.admin.Agent[], category: TaskCategory): flyteidl.admin.Agent | undefined {
  let found: flyteidl.admin.Agent | undefined;
  for (const agent of agents) {
    const byCategory = agent.supportedTaskCategories.some((c) => c.name === category.name && c.version === category.version);
    const byType = category.version === 0 && agent.supportedTaskTypes.includes(category.name);
    if (byCategory || byType) found = agent; // the last one listed wins, as in propeller
  }
  return found;
}

function waitOrAbort(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

/** The body of {@link PropellerClient.runTask}. */
export async function runTask(client: PropellerClient, request: RunTaskRequest): Promise<RunTaskResult> {
  const template = request.template;
  const category: TaskCategory = { name: template.type, version: template.taskTypeVersion };
  const timeline: TimelineEntry[] = [];
  const record = (resource: flyteidl.admin.Resource): Phase => {
    request.onResource?.(resource);
    const phase = effectivePhase(resource);
    if (timeline.at(-1)?.phase !== phase) {
      timeline.push({ phase, phaseName: phaseName(phase), message: resource.message, at: new Date() });
    }
    return phase;
  };

  const listed = findListedAgent(await client.listAgents(), category);
  if (!listed) {
    throw new TaskRunError(
      `no agent listed by ListAgents serves task category ${category.name}@${category.version}`,
      timeline,
      undefined,
    );
  }
  if (listed.isSync) {
    const resource = await client.executeTaskSync(request);
    const phase = record(resource);
    return { resource, phase, timeline, sync: true, getTaskCalls: 0 };
  }

  const resourceMeta = await client.createTask(request);
  const polled = await pollTask(client, category, resourceMeta, request);
  return { ...polled, resourceMeta, sync: false };
}

/** Options of {@link pollTask}. */
export type PollTaskOptions = Pick<
  RunTaskRequest,
  "pollIntervalMs" | "timeoutMs" | "signal" | "maxGetTaskErrors" | "outputPrefix"
> & {
  /** Called with every GetTask reply. */
  onResource?: (resource: flyteidl.admin.Resource) => void;
};

/**
 * Sends GetTask for an existing task until it reaches a terminal phase, as propeller does
 * after CreateTask (any replica may answer: pass a client of another server to prove it).
 * Sends DeleteTask and rejects with {@link TaskRunError} on abort or timeout.
 */
export async function pollTask(
  client: PropellerClient,
  category: TaskCategory,
  resourceMeta: Uint8Array,
  options: PollTaskOptions = {},
): Promise<{ resource: flyteidl.admin.Resource; phase: Phase; getTaskCalls: number; timeline: TimelineEntry[] }> {
  const timeline: TimelineEntry[] = [];
  const stop = new AbortController();
  const timeoutMs = options.timeoutMs ?? 60_000;
  const timer = setTimeout(() => stop.abort(new Error(`task did not finish within ${timeoutMs} ms`)), timeoutMs);
  const onAbort = () => stop.abort(options.signal?.reason ?? new Error("run aborted"));
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener("abort", onAbort, { once: true });
  let getTaskCalls = 0;
  let errors = 0;
  try {
    for (;;) {
      if (stop.signal.aborted) {
        const reason = (stop.signal.reason as Error).message;
        try {
          await client.deleteTask(category, resourceMeta);
        } catch (err) {
          throw new TaskRunError(`${reason}; DeleteTask failed too: ${(err as Error).message}`, timeline, resourceMeta, err);
        }
        throw new TaskRunError(`${reason}; DeleteTask sent`, timeline, resourceMeta, stop.signal.reason);
      }
      getTaskCalls += 1;
      try {
        const resource = await client.getTask(category, resourceMeta, options.outputPrefix);
        options.onResource?.(resource);
        const phase = effectivePhase(resource);
        if (timeline.at(-1)?.phase !== phase) {
          timeline.push({ phase, phaseName: phaseName(phase), message: resource.message, at: new Date() });
        }
        if (isTerminalPhase(phase)) return { resource, phase, getTaskCalls, timeline };
      } catch (err) {
        errors += 1;
        if (errors >= (options.maxGetTaskErrors ?? 6)) {
          throw new TaskRunError(
            `GetTask failed ${errors} times; last error: ${(err as Error).message}`,
            timeline,
            resourceMeta,
            err,
          );
        }
      }
      await waitOrAbort(options.pollIntervalMs ?? 100, stop.signal);
    }
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", onAbort);
  }
}
