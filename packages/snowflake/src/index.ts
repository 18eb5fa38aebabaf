/**
 * Flyte agent plugin for Snowflake: runs `snowflake` tasks (flytekit's and flyte-sdk's
 * SnowflakeTask) as asynchronous statements of the Snowflake SQL API v2, with key-pair
 * authentication.
 *
 * @packageDocumentation
 */
import { definePlugin } from "@flyte-agent/core";
import { SnowflakeAgent } from "./agent";

export { SnowflakeAgent, SNOWFLAKE_AGENT_NAME, SNOWFLAKE_TASK_TYPE } from "./agent";
export type { SnowflakeAgentOptions, SnowflakeQueryMeta, RetryOptions } from "./types";
export { PRIVATE_KEY_SECRET, PASSPHRASE_SECRET } from "./key-pair";
export { ENDPOINT_ENV } from "./account";
export { LOG_LINK_NAME } from "./statement-status";

/** The plugin: one agent serving the `snowflake` task type. */
export default definePlugin({ name: "@flyte-agent/snowflake", agents: [new SnowflakeAgent()] });
