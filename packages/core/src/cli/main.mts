/**
 * The ES module entry of `@flyte-agent/core/cli`: the CommonJS build re-exported, so that ES module and CommonJS
 * importers share one copy of the package.
 *
 * @packageDocumentation
 */
export * from "./main.js";
