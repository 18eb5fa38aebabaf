import type { admin, core } from "@flyte-agent/flyteidl";
import { core as coreValues } from "@flyte-agent/flyteidl";
import type { Connection } from "./connection";

/** The phase of a task execution, as propeller reads it (`flyteidl.core.TaskExecution.Phase`). */
export const Phase = coreValues.TaskExecution_Phase;
/** The phase of a task execution, as propeller reads it (`flyteidl.core.TaskExecution.Phase`). */
export type Phase = core.TaskExecution_Phase;

/**
 * What an agent serves: a task type name plus a version. Propeller routes a task to the agent
 * whose category matches the task template's `type` and `task_type_version`.
 */
export interface TaskCategory {
  /** The task type, e.g. `bigquery_query_job_task`. */
  readonly name: string;
  /** The task type version. @default 0 */
  readonly version: number;
}

/** A link shown in the Flyte UI next to the task, e.g. to the external system's console. */
export interface LogLink {
  /** Link text, e.g. `"BigQuery Console"`. */
  name: string;
  /** Absolute URL. */
  uri: string;
}

/** A JSON value, as carried by `google.protobuf.Struct` (custom_info). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * The state of a task as an agent reports it. The server turns it into a flyteidl `Resource`,
 * always setting `phase` together with the matching deprecated `state` for older propellers.
 */
export interface Resource {
  /** Where the task is. Terminal phases: SUCCEEDED, FAILED, ABORTED, RETRYABLE_FAILED. */
  phase: Phase;
  /** A short human-readable explanation (shown as the reason in propeller for non-running phases). */
  message?: string;
  /** Links to the external system, sent in every phase. */
  logLinks?: LogLink[];
  /** Task outputs; only read on SUCCEEDED. Build them with {@link toLiteralMap}. */
  outputs?: core.LiteralMap;
  /** Free-form JSON attached to the task event. Integers stay integers. */
  customInfo?: { [key: string]: JsonValue };
  /** An error code (read by propeller on the sync path only). */
  agentError?: admin.AgentError;
}

/** Minimal structured logger handed to agents (a pino child logger at run time). */
export interface AgentLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** What every agent call receives. */
export interface CallContext {
  /**
   * Fires when the RPC's deadline passes, the client cancels, or the server shuts down past
   * its drain timeout. Pass it to every outbound request (fetch, axios, SDK calls).
   */
  readonly signal: AbortSignal;
  /** The RPC deadline, when the client sent one. */
  readonly deadline?: Date;
  /** Logger bound to this request (agent, category, operation). Never log secrets or payloads. */
  readonly log: AgentLogger;
  /**
   * The connection Flyte 2 resolved for this task and sent with this call (CreateTask, GetTask,
   * DeleteTask over flyteidl2): secrets and configs by key. Absent on flyteidl 1 calls and when
   * the request carried none. Seen only by this call; pass it to `requireSecret` /
   * `getSecret` (`{ connection: ctx.connection }`) so a secret is looked for here first, then
   * in the pod's own secrets. Never log its values or put them into resource_meta.
   */
  readonly connection?: Connection;
}

/** Input of {@link AsyncAgent.create} and {@link SyncAgent.do}. */
export interface CreateContext extends CallContext {
  /** The task template (container args already rendered by propeller). */
  readonly template: core.TaskTemplate;
  /** The task inputs (empty map when the task has none). */
  readonly inputs: core.LiteralMap;
  /** Where outputs of this attempt go (blob store prefix). */
  readonly outputPrefix: string;
  /** Execution id, namespace, labels... Empty for local runs. */
  readonly taskExecutionMetadata?: admin.TaskExecutionMetadata;
}

/** Input of {@link SyncAgent.do}. */
export interface ExecuteContext extends CreateContext {
  /** Maximum size of a dataset the agent may return inline, when the client set one. */
  readonly maxDatasetSizeBytes?: bigint;
}

/** Input of {@link AsyncAgent.get} and {@link AsyncAgent.delete}. */
export interface TaskContext extends CallContext {
  /** The category the request was routed by. */
  readonly taskCategory: TaskCategory;
  /** Where outputs go (GetTask only; empty otherwise). */
  readonly outputPrefix: string;
}

/** Input of {@link AsyncAgent.getMetrics}. */
export interface MetricsContext extends TaskContext {
  readonly queries: string[];
  readonly startTime?: Date;
  readonly endTime?: Date;
  /** Resolution in seconds. */
  readonly stepSeconds?: number;
}

/** Input of {@link AsyncAgent.getLogs}. */
export interface LogsContext extends TaskContext {
  /** Number of lines asked for (0 = agent's choice). */
  readonly lines: number;
  /** Continuation token from a previous call ("" at first). */
  readonly token: string;
}

/** One log line returned by {@link AsyncAgent.getLogs}. */
export interface LogLine {
  message: string;
  timestamp?: Date;
  /** Who wrote the line. @default "user" */
  originator?: "user" | "system";
}

/** A piece of the log stream: lines, and/or a token to continue from. */
export interface LogsChunk {
  lines?: Array<string | LogLine>;
  /** When set, sent as a stream header so the client can resume from here. */
  nextToken?: string;
}
