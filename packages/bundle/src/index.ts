/**
 * The umbrella Flyte agent service: `@flyte-agent/core` plus any subset of the project's
 * plugins, installed side by side. This is what the agent image runs.
 *
 * @packageDocumentation
 */
export { BUNDLED_PLUGINS, findBundledPlugin, type BundledPlugin } from "./plugins";
export { planInstall, packageNameOf, type InstallPlan } from "./install-specs";
export { bundleMain } from "./cli";
