import type { admin, service } from "@flyte-agent/flyteidl";
import { TaskInputError } from "../errors";
import type { AgentRegistry } from "../registry";
import { checkDecoded } from "./async-service";
import { unaryCall } from "./call-handler";
import type { ServerEnv } from "./request-scope";
import type { Decoded } from "./safe-deserialize";

/**
 * The flyteidl v1 AgentMetadataService adapter: ListAgents (propeller's routing table) and
 * GetAgent, served through the same handler as every other call (metrics, log line, error
 * mapping). The list is computed once: the registry does not change while serving.
 */
export function agentMetadataService(registry: AgentRegistry, env: ServerEnv): service.AgentMetadataServiceServer {
  const list: admin.ListAgentsResponse = { agents: registry.metadata() };
  return {
    listAgents: unaryCall(env, "list_agents", async (_scope, req: Decoded<admin.ListAgentsRequest>) => {
      checkDecoded(req, "ListAgentsRequest");
      return list;
    }),
    getAgent: unaryCall(env, "get_agent", async (scope, req: Decoded<admin.GetAgentRequest>) => {
      checkDecoded(req, "GetAgentRequest");
      if (!req.name) throw new TaskInputError("GetAgent needs an agent name");
      const agent = registry.agentMetadata(req.name);
      scope.agentName = agent.name;
      return { agent };
    }),
  };
}
