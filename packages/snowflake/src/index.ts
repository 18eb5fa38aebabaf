/**
 * Flyte agent plugin for Snowflake: runs `snowflake` tasks (flytekit's and flyte-sdk's
 * SnowflakeTask) as asynchronous statements of the Snowflake SQL API v2, with key-pair
 * authentication.
 *
 * @packageDocumentation
 */
import { definePlugin } from "@flyte-agent/core";
import { SnowflakeAgent } from "./agent";
import { PLUGIN_NAME } from "./version";

export { SnowflakeAgent, SNOWFLAKE_AGENT_NAME, SNOWFLAKE_TASK_TYPE } from "./agent";
export type { SnowflakeAgentOptions, SnowflakeQueryMeta } from "./types";
export type { RetryOptions } from "@flyte-agent/core";
export { PRIVATE_KEY_SECRET, PASSPHRASE_SECRET } from "./key-pair";
export { ENDPOINT_ENV } from "./account";
export { LOG_LINK_NAME } from "./statement-status";
export { SNOWFLAKE_PLUGIN_VERSION } from "./version";

/** The plugin: one {@link SnowflakeAgent}, configured from the environment when the plugin is loaded. */
export default definePlugin({ name: PLUGIN_NAME, agents: [new SnowflakeAgent()] });
