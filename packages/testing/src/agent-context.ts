import {
  AgentError,
  type CallContext,
  type CreateContext,
  type ExecuteContext,
  type flyteidl,
  type LogsContext,
  type MetricsContext,
  type PlainValue,
  type SecretSourceOptions,
  type TaskCategory,
  type TaskContext,
  toLiteralMap,
} from "@flyte-agent/core";
import { status } from "@grpc/grpc-js";
import { track } from "./auto-close";
import { CollectingLogger, toJson } from "./collecting-logger";
import { testExecutionMetadata } from "./propeller-client";
import { testSecretSource } from "./test-secrets";

type TaskTemplate = flyteidl.core.TaskTemplate;
type LiteralMap = flyteidl.core.LiteralMap;
type TaskExecutionMetadata = flyteidl.admin.TaskExecutionMetadata;

/** Options of {@link agentTestContext}. */
export interface AgentTestContextOptions {
  /** The task template (see `taskTemplate`); its `type` and version are the category of `getContext()`. */
  template: TaskTemplate;
  /**
   * Task inputs as plain values, converted with core's `toLiteralMap` using the template's
   * input types (so `2` is a float unless the template declares an integer). @default {}
   */
  inputs?: { [name: string]: PlainValue };
  /** Task inputs as a ready LiteralMap (instead of `inputs`). */
  literalInputs?: LiteralMap;
  /** Where outputs of this attempt go. @default "s3://test-bucket/outputs/attempt-0" */
  outputPrefix?: string;
  /**
   * What propeller sends as `task_execution_metadata`; `null` for none (a local run).
   * @default testExecutionMetadata() (execution "test-execution", attempt 0)
   */
  taskExecutionMetadata?: TaskExecutionMetadata | null;
  /**
   * Deadline of each call, in ms from when its context is made: `deadline` is set and the
   * signal aborts with DEADLINE_EXCEEDED when it passes, as on the server. @default no deadline
   */
  deadlineMs?: number;
  /** `maxDatasetSizeBytes` of `executeContext()`. @default unset */
  maxDatasetSizeBytes?: bigint;
  /** Secrets by key, served by {@link AgentTestContext.secretSource}. @default {} */
  secrets?: Readonly<Record<string, string>>;
}

/** Input of {@link AgentTestContext.logsContext}. */
export interface LogsRequest {
  /** Lines asked for. @default 0 (the agent's choice) */
  lines?: number;
  /** Continuation token. @default "" */
  token?: string;
}

/** Input of {@link AgentTestContext.metricsContext}. */
export interface MetricsRequest {
  /** Metric queries. @default [] */
  queries?: string[];
  /** Start of the range. @default unset */
  startTime?: Date;
  /** End of the range. @default unset */
  endTime?: Date;
  /** Resolution in seconds. @default unset */
  stepSeconds?: number;
}

/**
 * Contexts for calling an agent's methods directly, without a server: what the server would
 * hand to `create`, `do`, `get`, `delete`, `getLogs` and `getMetrics` for one task. All contexts
 * share one real AbortSignal (fired by {@link AgentTestContext.abort}) and one collecting logger.
 */
export interface AgentTestContext {
  /** The template every context carries. */
  readonly template: TaskTemplate;
  /** The inputs every create/execute context carries. */
  readonly inputs: LiteralMap;
  /** The category GetTask/DeleteTask are routed by (the template's type and version). */
  readonly taskCategory: TaskCategory;
  /** Everything the agent logged through any context, oldest first. */
  readonly log: CollectingLogger;
  /** A secret source with exactly the `secrets` option: hand it to the agent's secret options. */
  readonly secretSource: SecretSourceOptions;
  /** The signal of every context; aborted by {@link AgentTestContext.abort}. */
  readonly signal: AbortSignal;
  /** Input of `AsyncAgent.create` (CreateTask). */
  createContext(): CreateContext;
  /** Input of `SyncAgent.do` (ExecuteTaskSync). */
  executeContext(): ExecuteContext;
  /** Input of `AsyncAgent.get` (GetTask: carries the output prefix). */
  getContext(): TaskContext;
  /** Input of `AsyncAgent.delete` (DeleteTask: empty output prefix). */
  deleteContext(): TaskContext;
  /** Input of `AsyncAgent.getLogs`. */
  logsContext(request?: LogsRequest): LogsContext;
  /** Input of `AsyncAgent.getMetrics`. */
  metricsContext(request?: MetricsRequest): MetricsContext;
  /**
   * Aborts the signal of every context made so far and later, as when propeller cancels the
   * call or the server shuts down. @param reason - @default CANCELLED "cancelled by the client"
   */
  abort(reason?: unknown): void;
  /**
   * The secret values (of the `secrets` option) found in `values` or in the log: serialise
   * resource_meta, resources and errors through this to prove nothing leaked.
   * @example expect(ctx.leakedSecrets(meta, resource)).toEqual([])
   */
  leakedSecrets(...values: unknown[]): string[];
  /** Stops the deadline timers (done for you after the jest test file). */
  close(): void;
}

const DEFAULT_OUTPUT_PREFIX = "s3://test-bucket/outputs/attempt-0";

/**
 * Builds the contexts an agent's methods receive from plain inputs and a task template, to
 * unit-test an agent without a server or a network.
 *
 * @example
 *   const ctx = agentTestContext({ template: taskTemplate({ type: "custom_task" }), inputs: { x: 42n } });
 *   const meta = await agent.create(ctx.createContext());
 *   const resource = await agent.get(meta, ctx.getContext());
 *   expect(ctx.log.messages("error")).toEqual([]);
 */
export function agentTestContext(options: AgentTestContextOptions): AgentTestContext {
  const { template, deadlineMs } = options;
  if (options.inputs !== undefined && options.literalInputs !== undefined) {
    throw new TypeError("agentTestContext: give `inputs` or `literalInputs`, not both");
  }
  if (deadlineMs !== undefined && !(Number.isFinite(deadlineMs) && deadlineMs >= 0)) {
    throw new RangeError(`agentTestContext: deadlineMs must be a number >= 0, got ${deadlineMs}`);
  }
  const inputs = options.literalInputs ?? toLiteralMap(options.inputs ?? {}, template.interface?.inputs);
  const outputPrefix = options.outputPrefix ?? DEFAULT_OUTPUT_PREFIX;
  const metadata =
    options.taskExecutionMetadata === null ? undefined : (options.taskExecutionMetadata ?? testExecutionMetadata());
  const taskCategory: TaskCategory = { name: template.type, version: template.taskTypeVersion };
  const secrets = Object.values(options.secrets ?? {}).filter((v) => v !== "");
  const log = new CollectingLogger();
  const cancel = new AbortController();
  const timers = new Set<NodeJS.Timeout>();

  const call = (operation: string): CallContext => {
    if (deadlineMs === undefined) return { signal: cancel.signal, log: log.forOperation(operation) };
    const deadline = new Date(Date.now() + deadlineMs);
    const expiry = new AbortController();
    const timer = setTimeout(() => {
      timers.delete(timer);
      expiry.abort(new AgentError(status.DEADLINE_EXCEEDED, "deadline exceeded"));
    }, deadlineMs);
    timer.unref();
    timers.add(timer);
    return { signal: AbortSignal.any([cancel.signal, expiry.signal]), deadline, log: log.forOperation(operation) };
  };
  const created = (operation: string): CreateContext => ({
    ...call(operation),
    template,
    inputs,
    outputPrefix,
    ...(metadata ? { taskExecutionMetadata: metadata } : {}),
  });
  const task = (operation: string, prefix: string): TaskContext => ({ ...call(operation), taskCategory, outputPrefix: prefix });

  const context: AgentTestContext = {
    template,
    inputs,
    taskCategory,
    log,
    secretSource: testSecretSource(options.secrets),
    signal: cancel.signal,
    createContext: () => created("create"),
    executeContext: () => ({
      ...created("do"),
      ...(options.maxDatasetSizeBytes === undefined ? {} : { maxDatasetSizeBytes: options.maxDatasetSizeBytes }),
    }),
    getContext: () => task("get", outputPrefix),
    deleteContext: () => task("delete", ""),
    logsContext: (request = {}) => ({ ...task("getLogs", ""), lines: request.lines ?? 0, token: request.token ?? "" }),
    metricsContext: (request = {}) => ({
      ...task("getMetrics", ""),
      queries: request.queries ?? [],
      ...(request.startTime ? { startTime: request.startTime } : {}),
      ...(request.endTime ? { endTime: request.endTime } : {}),
      ...(request.stepSeconds === undefined ? {} : { stepSeconds: request.stepSeconds }),
    }),
    abort(reason = new AgentError(status.CANCELLED, "cancelled by the client")) {
      cancel.abort(reason);
    },
    leakedSecrets(...values) {
      const text = [...values.map(toJson), ...log.lines()].join("\n");
      return secrets.filter((secret) => text.includes(secret));
    },
    close() {
      untrack();
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
  const untrack = track(context);
  return context;
}
