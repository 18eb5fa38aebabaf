/**
 * The ES module entry of `@flyte-agent/flyteidl/health`: the CommonJS build re-exported, so that ES module and CommonJS
 * importers share one copy of the package.
 *
 * @packageDocumentation
 */
export * from "./gen/grpc/health/v1/health.js";
