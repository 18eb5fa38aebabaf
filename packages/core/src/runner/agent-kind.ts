import { status as Status } from "@grpc/grpc-js";
import type { admin } from "@flyte-agent/flyteidl";
import { formatCategory } from "../agent";
import type { TaskCategory } from "../types";
import { type AgentConnection, RpcCallError } from "./agent-connection";
import { TaskRunError } from "./run-error";

/**
 * The ListAgents entries by category, the way propeller builds its routing table: each category
 * (and each deprecated `supported_task_types` entry, as version 0), written `name@version`, maps
 * to the agent that serves it, and a category listed twice keeps the last entry.
 */
export function listedAgents(agents: readonly admin.Agent[]): Map<string, admin.Agent> {
  const table = new Map<string, admin.Agent>();
  for (const agent of agents) {
    for (const name of agent.supportedTaskTypes) table.set(formatCategory({ name, version: 0 }), agent);
    for (const c of agent.supportedTaskCategories) table.set(formatCategory(c), agent);
  }
  return table;
}

/** Propeller's routing table: `name@version` -> whether the category is served by a sync agent. */
export function routingTable(agents: readonly admin.Agent[]): Map<string, boolean> {
  return new Map([...listedAgents(agents)].map(([category, agent]) => [category, agent.isSync]));
}

/** The ListAgents entry propeller would route a category to (see {@link listedAgents}), if any. */
export function findListedAgent(agents: readonly admin.Agent[], category: TaskCategory): admin.Agent | undefined {
  return listedAgents(agents).get(formatCategory(category));
}

/**
 * Asks the service whether a category is served by a sync agent. A service without
 * AgentMetadataService (UNIMPLEMENTED) is assumed async, as propeller does; a category the
 * service does not list fails with reason `invalid`; over flyteidl2 (v2), whose ListConnectors
 * leaves sync agents out, the message says how to run a sync agent's category instead.
 */
export async function isSyncCategory(
  connection: AgentConnection,
  category: TaskCategory,
  timeoutMs: number | undefined,
  signal?: AbortSignal,
  /** How to name the service in errors. @default the connection's target */
  where: string = `at ${connection.target}`,
): Promise<boolean> {
  let agents: admin.Agent[];
  try {
    agents = (await connection.listAgents(timeoutMs, signal)).agents;
  } catch (err) {
    if (err instanceof RpcCallError && err.code === Status.UNIMPLEMENTED) return false;
    throw err;
  }
  const table = routingTable(agents);
  const sync = table.get(formatCategory(category));
  if (sync === undefined) {
    const served = [...table.keys()].sort();
    throw new TaskRunError(
      `no agent serves task category ${formatCategory(category)} ${where}` +
        ` (served: ${served.length > 0 ? served.join(", ") : "none"})` +
        (connection.protocol === "v2"
          ? "; flyteidl2 has no sync service, so sync agents are not listed over v2: run a sync agent's task over v1 (flyteidl.service.SyncAgentService)"
          : ""),
      { reason: "invalid", code: Status.NOT_FOUND },
    );
  }
  return sync;
}
