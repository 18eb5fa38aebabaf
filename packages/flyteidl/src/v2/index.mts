/**
 * The ES module entry of `@flyte-agent/flyteidl/v2`: the CommonJS build re-exported, so that ES module and CommonJS
 * importers share one copy of the package.
 *
 * @packageDocumentation
 */
export * from "./index.js";
