import type { core } from "@flyte-agent/flyteidl";
import { jsonMetaCodec, type MetaCodec } from "./meta";
import type { DeclaresCustomKeys } from "./custom-keys";
import { InvalidMetaError } from "./errors";
import type {
  CreateContext,
  ExecuteContext,
  LogsChunk,
  LogsContext,
  MetricsContext,
  Resource,
  TaskCategory,
  TaskContext,
} from "./types";

/** Properties every agent has, sync or async. */
interface AgentBase extends DeclaresCustomKeys {
  /** Display name; agents with the same name are grouped in ListAgents/GetAgent. */
  readonly name: string;
  /** The task category this agent serves. */
  readonly category: TaskCategory;
}

/**
 * An agent for long-running external jobs. propeller calls `create` once per attempt (at least
 * once: make it idempotent), then `get` until a terminal phase, and `delete` on abort.
 *
 * Everything `get`/`delete` need lives in the returned `Meta`, which is encoded into
 * resource_meta (JSON by default; override {@link AsyncAgent.metaCodec}), so any replica can
 * answer. Never put secrets in it.
 *
 * Declare the keys of `template.custom` the agent reads as a field, `readonly customKeys =
 * ["key", ...] as const` (see {@link DeclaresCustomKeys}; dotted entries for nested objects):
 * `flyte-agent run` then refuses a task file with an unknown key and `serve` logs one.
 *
 * @typeParam Meta - the agent's resource metadata.
 */
export abstract class AsyncAgent<Meta = unknown> implements AgentBase {
  /** Marks async agents (checked structurally; there may be two copies of core installed). */
  readonly kind = "async" as const;
  abstract readonly name: string;
  abstract readonly category: TaskCategory;

  /**
   * Turns Meta into resource_meta bytes and back. Default: JSON, validated by
   * {@link AsyncAgent.validateMeta}.
   */
  readonly metaCodec: MetaCodec<Meta> = jsonMetaCodec((value) => this.validateMeta(value));

  /** Starts the external job and returns what identifies it. Called at least once per attempt. */
  abstract create(ctx: CreateContext): Promise<Meta>;
  /** Reports the job's state. Transient errors of the external API should become a RUNNING reply with a message. */
  abstract get(meta: Meta, ctx: TaskContext): Promise<Resource>;
  /** Cancels the job. Must succeed when the job is already finished or unknown. */
  abstract delete(meta: Meta, ctx: TaskContext): Promise<void>;
  /** Optional: execution metrics (GetTaskMetrics). Missing = UNIMPLEMENTED. */
  getMetrics?(meta: Meta, ctx: MetricsContext): Promise<core.ExecutionMetricResult[]>;
  /** Optional: the job's logs as a stream (GetTaskLogs). Missing = UNIMPLEMENTED. */
  getLogs?(meta: Meta, ctx: LogsContext): AsyncIterable<LogsChunk>;

  /**
   * Checks decoded JSON metadata. The default accepts any JSON object; override it (for
   * instance with {@link expectMetaFields}) so that metadata of another agent is refused with
   * INVALID_ARGUMENT instead of failing somewhere inside `get`.
   */
  protected validateMeta(value: unknown): Meta {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new InvalidMetaError("resource_meta must be a JSON object");
    }
    return value as Meta;
  }
}

/**
 * An agent that answers in one call (ExecuteTaskSync): the returned Resource must be terminal
 * (normally SUCCEEDED with outputs, or FAILED with a message).
 *
 * Declare the keys of `template.custom` the agent reads as a field, `readonly customKeys =
 * ["key", ...] as const` (see {@link DeclaresCustomKeys}; dotted entries for nested objects):
 * `flyte-agent run` then refuses a task file with an unknown key and `serve` logs one.
 */
export abstract class SyncAgent implements AgentBase {
  /** Marks sync agents (checked structurally). */
  readonly kind = "sync" as const;
  abstract readonly name: string;
  abstract readonly category: TaskCategory;
  /**
   * The ExecuteTaskSync deadline this agent needs to finish its work, in ms, when it is longer
   * than propeller's default (10 s for `connector-service`, 3 s for `agent-service`):
   * `flyte-agent propeller-config` writes `timeouts.ExecuteTaskSync` of at least this, and says
   * which agent asked for it. @default undefined (the `--timeout` value)
   */
  readonly minExecuteDeadlineMs?: number;
  /** Runs the task to completion. */
  abstract do(ctx: ExecuteContext): Promise<Resource>;
}

/** Any agent the registry accepts. */
export type Agent = AsyncAgent<unknown> | SyncAgent;

/** Formats a category as `name@version`. */
export function formatCategory(category: TaskCategory): string {
  return `${category.name}@${category.version}`;
}
