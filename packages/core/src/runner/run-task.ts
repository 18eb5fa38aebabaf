import { credentials } from "@grpc/grpc-js";
import type { core } from "@flyte-agent/flyteidl";
import { isAgentError } from "../errors";
import { fromLiteralMap } from "../literals";
import { phaseName } from "../phase";
import type { AgentRegistry } from "../registry";
import { Phase, type TaskCategory } from "../types";
import { buildRegistry } from "../cli/load-plugins";
import { AgentConnection, clientCredentials } from "./agent-connection";
import { isSyncCategory } from "./agent-kind";
import { localExecutionMetadata, localExecutionName } from "./local-execution-id";
import { type LocalServer, startLocalServer } from "./local-server";
import { makeLocalOutputPrefix, readLocalOutputs } from "./output-prefix";
import { runAsync } from "./run-async";
import { type RunContext, rpcError, stoppedError } from "./run-context";
import { TaskRunError } from "./run-error";
import { RunStop } from "./run-stop";
import { runSync } from "./run-sync";
import { StatusHistory } from "./task-status";
import { buildInputs } from "./task-inputs";
import type { RunEvent, RunResult, RunTaskOptions } from "./types";

const invalid = (message: string) => new TaskRunError(message, { reason: "invalid" });

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw invalid(`${name} must be a positive number of milliseconds, got ${value}`);
  return value;
}

function categoryOf(template: core.TaskTemplate | undefined): TaskCategory {
  if (!template || typeof template !== "object") throw invalid("a task template is required");
  if (!template.type) throw invalid("the task template has no type (the task category name)");
  return { name: template.type, version: template.taskTypeVersion ?? 0 };
}

function inputsOf(options: RunTaskOptions): core.LiteralMap {
  if (options.inputLiterals) return options.inputLiterals;
  try {
    return buildInputs(options.template, options.inputs ?? {});
  } catch (err) {
    if (isAgentError(err)) throw invalid(err.message);
    throw err;
  }
}

function defaultRegistry(options: RunTaskOptions, emit: (e: RunEvent) => void): AgentRegistry {
  const { registry, problems } = buildRegistry(options.plugins);
  for (const p of problems) emit({ type: "warning", message: `plugin ${p.name} failed to load: ${p.error}` });
  return registry;
}

/**
 * Runs one task to completion, the way propeller would, and returns its outputs.
 *
 * Without `endpoint` the task runs in-process: the installed plugins (or `registry`) are served
 * by a real {@link AgentServer} on 127.0.0.1 with a free port for the length of the run, so the
 * task goes through the same validation, routing and error mapping as in a cluster. With
 * `endpoint` it runs against that agent service.
 *
 * ListAgents decides the path: sync categories use ExecuteTaskSync; async ones use CreateTask,
 * then GetTask with backoff until SUCCEEDED, FAILED, ABORTED or RETRYABLE_FAILED. On timeout or
 * abort the task is deleted (DeleteTask) before the promise rejects.
 *
 * @returns the outputs when the task SUCCEEDED
 * @throws {@link TaskRunError} in every other case, with the reason, last phase and timeline
 *
 * @example
 *   const { values } = await runTask({ template, inputs: { n: 3 }, timeoutMs: 60_000 });
 */
export async function runTask(options: RunTaskOptions): Promise<RunResult> {
  const started = Date.now();
  const elapsed = () => Date.now() - started;
  const emit = (event: RunEvent) => {
    try {
      options.onEvent?.(event);
    } catch {
      // a failing progress listener must not break the run
    }
  };
  const category = categoryOf(options.template);
  const pollIntervalMs = positive("pollIntervalMs", options.pollIntervalMs, 1000);
  const settings = {
    pollIntervalMs,
    maxPollIntervalMs: Math.max(pollIntervalMs, positive("maxPollIntervalMs", options.maxPollIntervalMs, 10_000)),
    rpcTimeoutMs: positive("rpcTimeoutMs", options.rpcTimeoutMs, 30_000),
    maxGetFailures: Math.floor(positive("maxGetFailures", options.maxGetFailures, 6)),
    cancelGraceMs: positive("cancelGraceMs", options.cancelGraceMs, 10_000),
  };
  const timeoutMs = options.timeoutMs === undefined ? undefined : positive("timeoutMs", options.timeoutMs, 0);
  const inputs = inputsOf(options);
  const outputPrefix = options.outputPrefix ?? makeLocalOutputPrefix();
  const taskExecutionMetadata = options.taskExecutionMetadata ?? localExecutionMetadata(options.template, localExecutionName());

  const stop = new RunStop(timeoutMs, options.signal);
  const history = new StatusHistory();
  let local: LocalServer | undefined;
  let connection: AgentConnection | undefined;
  try {
    if (options.endpoint) {
      connection = new AgentConnection(options.endpoint, clientCredentials(options.tls));
    } else {
      local = await startLocalServer(options.registry ?? defaultRegistry(options, emit));
      connection = new AgentConnection(local.target, credentials.createInsecure());
    }
    const ctx: RunContext = {
      connection,
      category,
      template: options.template,
      inputs,
      outputPrefix,
      taskExecutionMetadata,
      stop,
      history,
      ...settings,
      elapsed,
      emit,
    };
    let sync: boolean;
    try {
      sync = await isSyncCategory(
        connection,
        category,
        settings.rpcTimeoutMs,
        stop.signal,
        local ? "among the loaded plugins" : `at ${options.endpoint}`,
      );
    } catch (err) {
      if (stop.stopped) throw stoppedError(ctx, { note: "no task had been started" });
      throw rpcError(ctx, err);
    }
    emit({ type: "started", target: local ? "in-process" : connection.target, category, sync, outputPrefix });

    const resource = sync ? await runSync(ctx) : await runAsync(ctx);
    const last = history.last;
    if (!last || last.phase !== Phase.SUCCEEDED) {
      const phase = last?.phase ?? resource.phase;
      throw new TaskRunError(`task ended ${phaseName(phase)}${last?.message ? `: ${last.message}` : ""}`, {
        reason: "failed",
        phase,
        timeline: history.timeline,
      });
    }
    const outputs = resource.outputs ?? readLocalOutputs(outputPrefix) ?? { literals: {} };
    const missing = Object.keys(options.template.interface?.outputs?.variables ?? {}).filter((n) => !(n in outputs.literals));
    if (missing.length > 0) {
      emit({ type: "warning", message: `the task declares output(s) ${missing.join(", ")} that the agent did not return` });
    }
    return {
      phase: last.phase,
      message: last.message,
      outputs,
      values: fromLiteralMap(outputs),
      timeline: history.timeline,
      logLinks: history.logLinks,
      customInfo: last.customInfo,
      sync,
      durationMs: elapsed(),
      outputPrefix,
    };
  } finally {
    stop.dispose();
    connection?.close();
    await local?.close();
  }
}
