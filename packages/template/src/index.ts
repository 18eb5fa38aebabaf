/**
 * The plugin's entry point: re-exports only. The default export is what `flyte-agent serve`
 * loads (found through the `flyteAgent.plugin` marker in package.json).
 *
 * @packageDocumentation
 */
import { definePlugin } from "@flyte-agent/core";
import { CustomAsyncAgent } from "./agent";
import { CustomSyncAgent } from "./sync-agent";
import { PLUGIN_NAME } from "./version";

export { CustomAsyncAgent, type CustomJobMeta } from "./agent";
export { CustomSyncAgent } from "./sync-agent";
export type { CustomTaskConfig } from "./types";
export { PLUGIN_NAME, PLUGIN_VERSION } from "./version";

/** The plugin: what `flyte-agent serve` loads from this package. */
export default definePlugin({ name: PLUGIN_NAME, agents: [new CustomAsyncAgent(), new CustomSyncAgent()] });
