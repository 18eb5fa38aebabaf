/**
 * The custom-agent template: a small, complete Flyte agent plugin that needs no external
 * service. `flyte-agent new <name>` copies this package.
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
