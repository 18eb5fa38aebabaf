/**
 * Flyte agent plugin for Databricks: runs `spark` (legacy) and `databricks` tasks as one-time
 * runs through the Jobs API 2.1.
 *
 * @packageDocumentation
 */
import { definePlugin } from "@flyte-agent/core";
import { DatabricksAgent } from "./agent";

export { DatabricksAgent, DATABRICKS_AGENT_NAME } from "./agent";
export type { DatabricksAgentOptions, DatabricksRunMeta, DatabricksTaskCustom } from "./types";
export type { RetryOptions } from "@flyte-agent/core";
export { LIFE_CYCLE_PHASES, RESULT_PHASES } from "./run-state";
export { DEFAULT_TOKEN_SECRET } from "./access-token";
export { DATABRICKS_PLUGIN_VERSION } from "./version";

const databricks = new DatabricksAgent({ taskType: "databricks" });

/** The plugin: one agent per task type (`spark`, `databricks`), sharing one connection pool. */
export default definePlugin({ name: "@flyte-agent/databricks", agents: [databricks.withTaskType("spark"), databricks] });
