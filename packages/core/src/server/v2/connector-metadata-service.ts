import type { connector, service } from "@flyte-agent/flyteidl/v2";
import { TaskInputError } from "../../errors";
import { toV2ListConnectorsResponse } from "../../protocols/v2/metadata";
import type { AgentRegistry } from "../../registry";
import { checkDecoded } from "../async-service";
import { unaryCall } from "../call-handler";
import type { ServerEnv } from "../request-scope";
import type { Decoded } from "../safe-deserialize";
import { syncAgentOnV2 } from "./sync-refusal";

/**
 * The flyteidl2 ConnectorMetadataService adapter: ListConnectors (the executor's routing table)
 * and GetConnector, from the same registry as flyteidl 1's AgentMetadataService. Sync agents are
 * left out (flyteidl2 has no sync service); GetConnector for one answers FAILED_PRECONDITION.
 */
export function connectorMetadataService(registry: AgentRegistry, env: ServerEnv): service.ConnectorMetadataServiceServer {
  const list: connector.ListConnectorsResponse = toV2ListConnectorsResponse(registry.metadata(), { includeSync: false });
  return {
    listConnectors: unaryCall(env, "list_connectors", async (_scope, req: Decoded<connector.ListConnectorsRequest>) => {
      checkDecoded(req, "ListConnectorsRequest");
      return list;
    }),
    getConnector: unaryCall(env, "get_connector", async (scope, req: Decoded<connector.GetConnectorRequest>) => {
      checkDecoded(req, "GetConnectorRequest");
      if (!req.name) throw new TaskInputError("GetConnector needs a connector name");
      const agent = registry.agentMetadata(req.name); // NOT_FOUND when no agent has the name
      scope.agentName = agent.name;
      const served = toV2ListConnectorsResponse(
        registry.metadata().filter((a) => a.name === req.name),
        { includeSync: false },
      ).connectors[0];
      if (!served) throw syncAgentOnV2(`connector "${agent.name}"`, agent.name);
      return { connector: served };
    }),
  };
}
