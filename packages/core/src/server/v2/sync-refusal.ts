import { formatCategory, type SyncAgent } from "../../agent";
import { AgentError } from "../../errors";
import { StatusCode } from "../../status-code";
import type { TaskCategory } from "../../types";

/**
 * How flyteidl2 treats sync agents: Flyte 2 has no sync service, so a connector call for a sync
 * agent's category is refused with FAILED_PRECONDITION naming the flyteidl 1 service that serves
 * it, and sync-only agents are left out of ListConnectors.
 */
export function refuseSyncOnV2(category: TaskCategory, agent: SyncAgent): AgentError {
  return syncAgentOnV2(`task category ${formatCategory(category)}`, agent.name);
}

/** The FAILED_PRECONDITION for a sync agent asked for over flyteidl2 (by category or by name). */
export function syncAgentOnV2(what: string, agentName: string): AgentError {
  return new AgentError(
    StatusCode.FAILED_PRECONDITION,
    `${what} is served by the sync agent "${agentName}"; flyteidl2 has no sync service: call flyteidl.service.SyncAgentService/ExecuteTaskSync (Flyte 1) instead`,
  );
}
