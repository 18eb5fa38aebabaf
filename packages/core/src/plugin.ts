import type { Agent } from "./agent";
import { CORE_VERSION } from "./version";

/** The tag on a plugin's default export, checked instead of `instanceof` (two copies of core may be installed). */
export const PLUGIN_TAG: unique symbol = Symbol.for("flyte-agent.plugin") as never;

/** What a plugin package's default export is: a tagged list of agents. */
export interface AgentPlugin {
  readonly [PLUGIN_TAG]: true;
  /** The agents this plugin serves. */
  readonly agents: readonly Agent[];
  /** Version of @flyte-agent/core the plugin was built with (its major must match the server's). */
  readonly coreVersion: string;
  /** Optional display name (defaults to the package name). */
  readonly name?: string;
}

/** Options of {@link definePlugin}. */
export interface PluginDefinition {
  agents: readonly Agent[];
  name?: string;
}

/**
 * Declares a plugin: the default export of a plugin package's entry module.
 *
 * @example
 *   export default definePlugin({ agents: [new EchoAgent()] });
 */
export function definePlugin(definition: PluginDefinition): AgentPlugin {
  return Object.freeze({
    [PLUGIN_TAG]: true as const,
    agents: Object.freeze([...definition.agents]),
    coreVersion: CORE_VERSION,
    ...(definition.name ? { name: definition.name } : {}),
  });
}

/** True when `value` carries the plugin tag. */
export function isAgentPlugin(value: unknown): value is AgentPlugin {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[PLUGIN_TAG] === true;
}
