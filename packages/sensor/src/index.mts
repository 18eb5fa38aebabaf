/**
 * The ES module entry (`import plugin from "<package>"`): the CommonJS build re-exported, so
 * that ES module and CommonJS importers share one copy of the package. The default export is the
 * plugin, as for `require("<package>").default`.
 *
 * @packageDocumentation
 */
import type { AgentPlugin } from "@flyte-agent/core";
import cjs from "./index.js";

export * from "./index.js";

/** The plugin: what `flyte-agent serve` loads from this package. */
const plugin: AgentPlugin = cjs.default;
export default plugin;
