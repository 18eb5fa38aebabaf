import type { AgentLogger, CreateContext, TaskContext, flyteidl } from "@flyte-agent/core";
import { taskTemplate, testExecutionMetadata, type SimpleTypeName } from "@flyte-agent/testing";

/** The account and user every test uses. */
export const ACCOUNT = "myorg-analytics";
export const USER = "flyte_runner";

/** A logger that keeps every line as JSON text (no redaction), so tests can search it. */
export function captureLogger(): AgentLogger & { lines: string[] } {
  const lines: string[] = [];
  const write = (level: string) => (obj: object, msg?: string) => {
    lines.push(JSON.stringify({ level, msg, ...obj }));
  };
  return { lines, debug: write("debug"), info: write("info"), warn: write("warn"), error: write("error") };
}

/** A snowflake task template as flytekit writes it (connection fields in `config`). */
export function snowflakeTemplate(
  sql = "SELECT 1",
  options: {
    config?: Record<string, string>;
    inputs?: Record<string, SimpleTypeName | flyteidl.core.LiteralType>;
    outputs?: Record<string, SimpleTypeName | flyteidl.core.LiteralType>;
  } = {},
): flyteidl.core.TaskTemplate {
  return taskTemplate({
    type: "snowflake",
    name: "wf.snowflake_query",
    sql,
    inputs: options.inputs,
    outputs: options.outputs,
    config: {
      account: ACCOUNT,
      user: USER,
      database: "ANALYTICS",
      schema: "PUBLIC",
      warehouse: "COMPUTE_WH",
      ...options.config,
    },
  });
}

/** A CreateContext for calling the agent directly. */
export function createContext(
  template: flyteidl.core.TaskTemplate,
  options: {
    inputs?: flyteidl.core.LiteralMap;
    log?: AgentLogger;
    signal?: AbortSignal;
    deadline?: Date;
    execution?: string;
    attempt?: number;
  } = {},
): CreateContext {
  return {
    template,
    inputs: options.inputs ?? { literals: {} },
    outputPrefix: "s3://bucket/outputs/attempt-0",
    taskExecutionMetadata: testExecutionMetadata(options.execution ?? "exec-1", options.attempt ?? 0),
    signal: options.signal ?? new AbortController().signal,
    deadline: options.deadline,
    log: options.log ?? captureLogger(),
  };
}

/** A TaskContext for get/delete. */
export function taskContext(options: { log?: AgentLogger; signal?: AbortSignal; deadline?: Date } = {}): TaskContext {
  return {
    taskCategory: { name: "snowflake", version: 0 },
    outputPrefix: "",
    signal: options.signal ?? new AbortController().signal,
    deadline: options.deadline,
    log: options.log ?? captureLogger(),
  };
}
