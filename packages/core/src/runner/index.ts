/** Local execution: run one task to completion in-process or against an agent service. */
export { runTask } from "./run-task";
export {
  executeTask,
  awaitTerminalPhase,
  categoryOf,
  type ExecuteTaskOptions,
  type ExecutedTask,
  type AwaitTerminalPhaseOptions,
  type TaskExecution,
  type PollSettings,
} from "./execute-task";
export {
  AgentConnection,
  RpcCallError,
  clientCredentials,
  WIRE_PROTOCOLS,
  type WireProtocol,
  type AgentConnectionOptions,
  type AgentCallTimeouts,
} from "./agent-connection";
export { listedAgents, routingTable, findListedAgent, isSyncCategory } from "./agent-kind";
export { TaskRunError, type RunFailureReason, type TaskRunErrorDetails } from "./run-error";
export type { RunTaskOptions, RunResult, RunEvent, PhaseChange, TaskStatus, ClientTlsOptions } from "./types";
