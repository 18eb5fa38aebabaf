import type { admin, core } from "@flyte-agent/flyteidl";
import type { Connection } from "../connection";
import type { PluginSelection } from "../load-plugins";
import type { WireProtocol } from "./agent-connection";
import type { ExecuteTaskOptions, PollSettings } from "./execute-task";
import type { PlainValue } from "../literals";
import type { AgentRegistry } from "../registry";
import type { JsonValue, LogLink, Phase, TaskCategory } from "../types";

/** TLS settings of the connection to a running agent service. */
export interface ClientTlsOptions {
  /** PEM CA bundle that signed the server certificate. @default the system CA pool */
  ca?: Buffer;
  /** Path of a PEM CA bundle (read when `ca` is not given). */
  caFile?: string;
  /** PEM client certificate chain, for servers that require mutual TLS. */
  cert?: Buffer;
  /** Path of a PEM client certificate chain. */
  certFile?: string;
  /** PEM private key of the client certificate. */
  key?: Buffer;
  /** Path of the PEM private key of the client certificate. */
  keyFile?: string;
}

/**
 * Options of {@link runTask}: the task, where to run it, and the poll settings of
 * {@link executeTask} (`timeoutMs`, `signal`, `pollIntervalMs`, `maxPollIntervalMs`,
 * `maxGetFailures`, `cancelGraceMs`, `onEvent`).
 */
export interface RunTaskOptions extends PollSettings, Pick<ExecuteTaskOptions, "cancelGraceMs"> {
  /** The task template to run; its `type` and `taskTypeVersion` pick the agent. */
  template: core.TaskTemplate;
  /**
   * Inputs as plain values, converted with the template's interface types (a value that does
   * not fit fails naming the input). Use `inputLiterals` instead to pass literals as they are.
   * @default {}
   */
  inputs?: { [name: string]: PlainValue };
  /** Inputs as a ready LiteralMap (wins over `inputs`). */
  inputLiterals?: core.LiteralMap;
  /**
   * Address of a running agent service (`host:port`, or any grpc-js target such as
   * `dns:///host:port`). Without it the task runs in-process against `registry`.
   */
  endpoint?: string;
  /** Connect to `endpoint` with TLS (`true`: system CA pool). @default false (plaintext) */
  tls?: boolean | ClientTlsOptions;
  /**
   * The wire protocol: `"v1"` calls the flyteidl agent services as FlytePropeller 1.x does;
   * `"v2"` calls `flyteidl2.connector.AsyncConnectorService` as the Flyte 2 executor does
   * (ListConnectors for routing, every task through CreateTask and GetTask: flyteidl2 has no
   * sync service). @default "v1"
   */
  protocol?: WireProtocol;
  /**
   * The connection sent with every v2 CreateTask, GetTask and DeleteTask (what the Flyte 2
   * executor resolves from the task's connection: secret values and configs by key). Only with
   * `protocol: "v2"`. @default none
   */
  connection?: Connection;
  /**
   * Agents for an in-process run (ignored with `endpoint`).
   * @default the installed plugins, found like `flyte-agent serve` finds them (see `plugins`)
   */
  registry?: AgentRegistry;
  /** Which installed plugins to load when `registry` is not given. @default all installed plugins */
  plugins?: PluginSelection;
  /**
   * In-process runs: what a key of `template.custom` that the task's agent does not declare
   * (its `customKeys`) does: `"error"` refuses the run (reason `invalid`), `"warn"` emits a
   * warning event and runs. Not checked with `endpoint` (the agents are elsewhere).
   * @default "error"
   */
  unknownCustomKeys?: "error" | "warn";
  /** Deadline of each CreateTask, GetTask, DeleteTask and ListAgents call, in milliseconds. @default 30000 */
  rpcTimeoutMs?: number;
  /**
   * `output_prefix` sent to the agent. When the task succeeds without inline outputs,
   * `<outputPrefix>/outputs.pb` is read if it is a local path.
   * @default a new directory under the system temp directory
   */
  outputPrefix?: string;
  /**
   * `task_execution_metadata` sent with CreateTask.
   * @default a local execution id (project "local", domain "development", a fresh name)
   */
  taskExecutionMetadata?: admin.TaskExecutionMetadata;
}

/** One phase of the task, as first reported. */
export interface PhaseChange {
  /** The phase. */
  phase: Phase;
  /** Its name, e.g. `"RUNNING"`. */
  phaseName: string;
  /** The message that came with the first reply in this phase. */
  message: string;
  /** Milliseconds since the run started. */
  elapsedMs: number;
  /** When the reply arrived. */
  at: Date;
}

/** What a GetTask (or ExecuteTaskSync) reply said, in plain form. */
export interface TaskStatus {
  phase: Phase;
  phaseName: string;
  message: string;
  logLinks: LogLink[];
  customInfo?: { [key: string]: JsonValue };
  /** Milliseconds since the run started. */
  elapsedMs: number;
}

/** Progress reported through {@link RunTaskOptions.onEvent}. */
export type RunEvent =
  | {
      type: "started";
      /** `"in-process"` or the endpoint address. */
      target: string;
      category: TaskCategory;
      /** True when the agent is a sync agent (ExecuteTaskSync). */
      sync: boolean;
      outputPrefix: string;
      /** The wire protocol of the run. @default "v1" when absent */
      protocol?: WireProtocol;
    }
  | { type: "created"; resourceMetaBytes: number; elapsedMs: number }
  | {
      type: "status";
      status: TaskStatus;
      phaseChanged: boolean;
      /** The Resource as received (GetTask reply or ExecuteTaskSync header). */
      resource?: admin.Resource;
    }
  | {
      type: "retry";
      operation: "get";
      /** The failed call's message, e.g. `GetTask failed: UNAVAILABLE: ...`. */
      error: string;
      failures: number;
      elapsedMs: number;
    }
  | { type: "deleting"; reason: "timeout" | "aborted" | "error"; elapsedMs: number }
  | {
      type: "deleted";
      ok: boolean;
      /** Why DeleteTask failed: the status and details, e.g. `UNAVAILABLE: ...` (the call is not repeated). */
      error?: string;
      elapsedMs: number;
    }
  | { type: "warning"; message: string };

/** What {@link runTask} returns when the task SUCCEEDED. */
export interface RunResult {
  /** Always SUCCEEDED (any other end rejects with a {@link TaskRunError}). */
  phase: Phase;
  /** The last message of the agent. */
  message: string;
  /** The task outputs as literals. */
  outputs: core.LiteralMap;
  /** The task outputs as plain values (integers are bigint). */
  values: { [name: string]: PlainValue };
  /** Each phase the task went through, in order. */
  timeline: PhaseChange[];
  /** Every log link the agent reported, without duplicates. */
  logLinks: LogLink[];
  /** custom_info of the last reply. */
  customInfo?: { [key: string]: JsonValue };
  /** True when the task ran through ExecuteTaskSync. */
  sync: boolean;
  /** Milliseconds from start to the terminal phase. */
  durationMs: number;
  /** The output_prefix that was sent. */
  outputPrefix: string;
}
