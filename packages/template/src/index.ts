/**
 * The plugin's entry point: re-exports only. The default export is what `flyte-agent serve`
 * loads (found through the `flyteAgent.plugin` marker in package.json).
 *
 * @packageDocumentation
 */
import { definePlugin } from "@flyte-agent/core";
import { CustomAsyncAgent } from "./agent";
import { CustomSyncAgent } from "./sync-agent";

export { CustomAsyncAgent, type CustomJobMeta } from "./agent";
export { CustomSyncAgent } from "./sync-agent";
export type { CustomTaskConfig } from "./types";

/** The plugin: what `flyte-agent serve` loads from this package. */
export default definePlugin({ agents: [new CustomAsyncAgent(), new CustomSyncAgent()] });
