/**
 * The ES module entry of `create-flyte-agent`: the CommonJS build re-exported, so that ES module
 * and CommonJS importers share one copy of the package.
 *
 * @packageDocumentation
 */
export * from "./index.js";
