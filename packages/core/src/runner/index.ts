/** Local execution: run one task to completion in-process or against an agent service. */
export { runTask } from "./run-task";
export { TaskRunError, type RunFailureReason, type TaskRunErrorDetails } from "./run-error";
export type { RunTaskOptions, RunResult, RunEvent, PhaseChange, TaskStatus, ClientTlsOptions } from "./types";
