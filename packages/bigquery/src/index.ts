/**
 * Flyte agent plugin for BigQuery: runs `bigquery_query_job_task` tasks as BigQuery query jobs.
 *
 * @packageDocumentation
 */
import { definePlugin } from "@flyte-agent/core";
import { BigQueryAgent } from "./agent";

export { BigQueryAgent, BIGQUERY_TASK_TYPE } from "./agent";
export type { BigQueryAgentOptions, BigQueryJobMeta } from "./types";
export type { RetryOptions } from "@flyte-agent/core";
export { DEFAULT_CREDENTIALS_SECRET } from "./credentials";
export { BIGQUERY_PLUGIN_VERSION } from "./version";

/** The plugin: one {@link BigQueryAgent}, configured from the environment when the plugin is loaded. */
export default definePlugin({ name: "@flyte-agent/bigquery", agents: [new BigQueryAgent()] });
