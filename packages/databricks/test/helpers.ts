import type { AgentLogger, CreateContext, TaskContext, flyteidl } from "@flyte-agent/core";
import { type CustomValue, taskTemplate, testExecutionMetadata } from "@flyte-agent/testing";

/** A logger that keeps every line as JSON text (no redaction), so tests can search it. */
export function captureLogger(): AgentLogger & { lines: string[] } {
  const lines: string[] = [];
  const write = (level: string) => (obj: object, msg?: string) => {
    lines.push(JSON.stringify({ level, msg, ...obj }));
  };
  return { lines, debug: write("debug"), info: write("info"), warn: write("warn"), error: write("error") };
}

/** A databricks task template as flytekit writes it. */
export function databricksTemplate(
  custom: { [key: string]: CustomValue },
  options: { type?: string; args?: string[]; env?: Record<string, string>; image?: string } = {},
): flyteidl.core.TaskTemplate {
  return taskTemplate({
    type: options.type ?? "databricks",
    name: "wf.spark_job",
    custom,
    container: {
      image: options.image ?? "ghcr.io/example/spark:1.0",
      args: options.args ?? ["pyflyte-execute", "--inputs", "s3://bucket/inputs.pb"],
      env: options.env ?? { FLYTE_INTERNAL_PROJECT: "flytesnacks" },
    },
  });
}

/** A CreateContext for calling the agent directly. */
export function createContext(
  template: flyteidl.core.TaskTemplate,
  options: { log?: AgentLogger; signal?: AbortSignal; deadline?: Date; execution?: string; attempt?: number } = {},
): CreateContext {
  return {
    template,
    inputs: { literals: {} },
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
    taskCategory: { name: "databricks", version: 0 },
    outputPrefix: "",
    signal: options.signal ?? new AbortController().signal,
    deadline: options.deadline,
    log: options.log ?? captureLogger(),
  };
}
