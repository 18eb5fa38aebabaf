/**
 * The ES module entry of `@flyte-agent/bundle/cli`: the CommonJS build re-exported, so that ES module and CommonJS
 * importers share one copy of the package.
 *
 * @packageDocumentation
 */
export * from "./cli.js";
