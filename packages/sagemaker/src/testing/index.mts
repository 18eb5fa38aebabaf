/**
 * The ES module entry of `<package>/testing`: the CommonJS build re-exported.
 *
 * @packageDocumentation
 */
export * from "./index.js";
