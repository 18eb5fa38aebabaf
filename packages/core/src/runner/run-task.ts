import { credentials } from "@grpc/grpc-js";
import type { core } from "@flyte-agent/flyteidl";
import { declaredCustomKeys, describeUnknownCustomKeys, unknownCustomKeys } from "../custom-keys";
import { isAgentError } from "../errors";
import { fromLiteralMap } from "../literals";
import { buildRegistry } from "../load-plugins";
import { phaseName } from "../phase";
import type { AgentRegistry } from "../registry";
import { Phase } from "../types";
import { AgentConnection, clientCredentials } from "./agent-connection";
import { categoryOf, executeTask, positiveMs, resolvePollSettings } from "./execute-task";
import { localExecutionMetadata, localExecutionName } from "./local-execution-id";
import { type LocalServer, startLocalServer } from "./local-server";
import { makeLocalOutputPrefix, readLocalOutputs } from "./output-prefix";
import { TaskRunError } from "./run-error";
import { buildInputs } from "./task-inputs";
import type { RunEvent, RunResult, RunTaskOptions } from "./types";

const invalid = (message: string) => new TaskRunError(message, { reason: "invalid" });

function inputsOf(options: RunTaskOptions): core.LiteralMap {
  if (options.inputLiterals) return options.inputLiterals;
  try {
    return buildInputs(options.template, options.inputs ?? {});
  } catch (err) {
    if (isAgentError(err)) throw invalid(err.message);
    throw err;
  }
}

/** Refuses (or warns about) keys of `custom` that the task's agent does not declare. */
function checkCustomKeys(registry: AgentRegistry, options: RunTaskOptions, emit: (e: RunEvent) => void): void {
  const agent = registry.find(categoryOf(options.template));
  if (!agent) return;
  const unknown = unknownCustomKeys(options.template.custom, declaredCustomKeys(agent));
  if (unknown.length === 0) return;
  const what = `${describeUnknownCustomKeys(unknown)}: not a key that "${agent.name}" reads`;
  if (options.unknownCustomKeys === "warn") {
    emit({ type: "warning", message: `${what} (ignored)` });
    return;
  }
  throw invalid(`${what} (--allow-unknown-custom runs it anyway)`);
}

async function defaultRegistry(options: RunTaskOptions, emit: (e: RunEvent) => void): Promise<AgentRegistry> {
  const { registry, problems } = await buildRegistry(options.plugins);
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
 * abort the task is deleted (DeleteTask) before the promise rejects. Over `protocol: "v2"`
 * ListConnectors routes and every task takes the CreateTask path (flyteidl2 has no sync service).
 *
 * @returns the outputs when the task SUCCEEDED
 * @throws {@link TaskRunError} in every other case, with the reason, last phase and timeline
 *
 * @example
 *   const { values } = await runTask({ template, inputs: { n: 3 }, timeoutMs: 60_000 });
 */
export async function runTask(options: RunTaskOptions): Promise<RunResult> {
  const started = Date.now();
  const emit = (event: RunEvent) => {
    try {
      options.onEvent?.(event);
    } catch {
      // a failing progress listener must not break the run
    }
  };
  // Everything that can be wrong with the options fails before a server is started.
  categoryOf(options.template);
  resolvePollSettings(options);
  positiveMs("cancelGraceMs", options.cancelGraceMs, 10_000);
  const protocol = options.protocol ?? "v1";
  if (protocol !== "v1" && protocol !== "v2") throw invalid(`protocol must be "v1" or "v2", got "${String(protocol)}"`);
  if (options.connection !== undefined && protocol !== "v2") {
    throw invalid('a connection is sent only over v2 (flyteidl 1 has no connection field): set protocol to "v2"');
  }
  const connectionOptions = { protocol, connection: options.connection };
  const inputs = inputsOf(options);
  const outputPrefix = options.outputPrefix ?? makeLocalOutputPrefix();
  const taskExecutionMetadata = options.taskExecutionMetadata ?? localExecutionMetadata(options.template, localExecutionName());

  let local: LocalServer | undefined;
  let connection: AgentConnection | undefined;
  try {
    if (options.endpoint) {
      connection = new AgentConnection(options.endpoint, clientCredentials(options.tls), connectionOptions);
    } else {
      const registry = options.registry ?? (await defaultRegistry(options, emit));
      checkCustomKeys(registry, options, emit);
      local = await startLocalServer(registry);
      connection = new AgentConnection(local.target, credentials.createInsecure(), connectionOptions);
    }
    const run = await executeTask(connection, {
      template: options.template,
      inputs,
      outputPrefix,
      taskExecutionMetadata,
      timeoutMs: options.timeoutMs,
      signal: options.signal,
      pollIntervalMs: options.pollIntervalMs,
      maxPollIntervalMs: options.maxPollIntervalMs,
      rpcTimeoutMs: options.rpcTimeoutMs ?? 30_000,
      maxGetFailures: options.maxGetFailures,
      cancelGraceMs: options.cancelGraceMs,
      onEvent: emit,
      where: local ? "among the loaded plugins" : undefined,
      targetLabel: local ? "in-process" : undefined,
    });
    const last = run.last;
    if (last.phase !== Phase.SUCCEEDED) {
      throw new TaskRunError(`task ended ${phaseName(last.phase)}${last.message ? `: ${last.message}` : ""}`, {
        reason: "failed",
        phase: last.phase,
        timeline: run.timeline,
        resourceMeta: run.resourceMeta,
      });
    }
    const outputs = run.resource.outputs ?? readLocalOutputs(outputPrefix) ?? { literals: {} };
    const missing = Object.keys(options.template.interface?.outputs?.variables ?? {}).filter((n) => !(n in outputs.literals));
    if (missing.length > 0) {
      emit({ type: "warning", message: `the task declares output(s) ${missing.join(", ")} that the agent did not return` });
    }
    return {
      phase: last.phase,
      message: last.message,
      outputs,
      values: fromLiteralMap(outputs),
      timeline: run.timeline,
      logLinks: run.logLinks,
      customInfo: last.customInfo,
      sync: run.sync,
      durationMs: Date.now() - started,
      outputPrefix,
    };
  } finally {
    connection?.close();
    await local?.close();
  }
}
