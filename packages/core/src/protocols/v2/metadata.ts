import type { admin } from "@flyte-agent/flyteidl";
import type { connector } from "@flyte-agent/flyteidl/v2";

/** Whether sync agents (flyteidl2 has no sync service) are listed as connectors. */
export interface ConnectorListOptions {
  /** List agents that are only sync. The v2 server decides, depending on how it serves them. */
  readonly includeSync: boolean;
}

/** One registry entry (`AgentRegistry.metadata()` / `agentMetadata()`) as a flyteidl2 Connector. */
export function toV2Connector(agent: admin.Agent): connector.Connector {
  return {
    name: agent.name,
    supportedTaskCategories: agent.supportedTaskCategories.map((c) => ({ name: c.name, version: c.version })),
  };
}

/**
 * The ListConnectors reply for the registry's agents. flyteidl2 has no `is_sync`, so a name
 * served by both a sync and an async agent becomes one connector with all their categories.
 */
export function toV2ListConnectorsResponse(
  agents: readonly admin.Agent[],
  options: ConnectorListOptions,
): connector.ListConnectorsResponse {
  const byName = new Map<string, connector.Connector>();
  for (const agent of agents) {
    if (agent.isSync && !options.includeSync) continue;
    const entry = byName.get(agent.name);
    if (entry) entry.supportedTaskCategories.push(...toV2Connector(agent).supportedTaskCategories);
    else byName.set(agent.name, toV2Connector(agent));
  }
  return { connectors: [...byName.values()] };
}

/** The GetConnector reply for one registry entry (`AgentRegistry.agentMetadata(name)`). */
export function toV2GetConnectorResponse(agent: admin.Agent): connector.GetConnectorResponse {
  return { connector: toV2Connector(agent) };
}
