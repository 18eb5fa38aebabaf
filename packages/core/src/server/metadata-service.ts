import type { service } from "@flyte-agent/flyteidl";
import { AgentError, TaskInputError } from "../errors";
import type { AgentRegistry } from "../registry";
import { status as Status } from "@grpc/grpc-js";
import { DECODE_ERROR } from "./safe-deserialize";

/**
 * The AgentMetadataService implementation: ListAgents (propeller's routing table) and
 * GetAgent. The answer is computed once: the registry does not change while serving.
 */
export function agentMetadataService(registry: AgentRegistry): service.AgentMetadataServiceServer {
  const list = { agents: registry.metadata() };
  const fail = (err: unknown) => ({
    code: err instanceof AgentError ? err.code : Status.INTERNAL,
    details: err instanceof Error ? err.message : "failed",
  });
  return {
    listAgents(call, callback) {
      if ((call.request as unknown as Record<symbol, unknown>)[DECODE_ERROR] !== undefined) {
        return callback(fail(new TaskInputError("malformed ListAgentsRequest")));
      }
      callback(null, list);
    },
    getAgent(call, callback) {
      try {
        const problem = (call.request as unknown as Record<symbol, unknown>)[DECODE_ERROR];
        if (problem !== undefined) throw new TaskInputError(`malformed GetAgentRequest: ${String(problem)}`);
        if (!call.request.name) throw new TaskInputError("GetAgent needs an agent name");
        callback(null, { agent: registry.agentMetadata(call.request.name) });
      } catch (err) {
        callback(fail(err));
      }
    },
  };
}
