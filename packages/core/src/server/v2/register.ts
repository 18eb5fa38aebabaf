import type { ServiceHost } from "../service-host";
import { service } from "@flyte-agent/flyteidl/v2";
import type { AgentRegistry } from "../../registry";
import { AgentOperations } from "../agent-operations";
import type { ServerEnv } from "../request-scope";
import { withSafeDeserialize } from "../safe-deserialize";
import { connectorMetadataService } from "./connector-metadata-service";
import { asyncConnectorService } from "./connector-service";
import { refuseSyncOnV2 } from "./sync-refusal";
import { AsyncConnectorWireService } from "./wire-definition";

/**
 * Registers flyteidl2's AsyncConnectorService and ConnectorMetadataService on `server`, over the
 * same registry as the flyteidl 1 services. `env` is the server's, relabelled `protocol: "v2"`
 * for metrics. The server requires this module only when it serves v2, so a v1-only server never loads the flyteidl2 code.
 */
export function addConnectorServices(server: ServiceHost, registry: AgentRegistry, env: ServerEnv): void {
  const v2env: ServerEnv = { metrics: env.metrics, log: env.log, inFlight: env.inFlight, protocol: "v2" };
  const operations = new AgentOperations(registry, v2env, refuseSyncOnV2);
  server.addService(withSafeDeserialize(AsyncConnectorWireService), asyncConnectorService(operations, v2env));
  server.addService(withSafeDeserialize(service.ConnectorMetadataServiceService), connectorMetadataService(registry, v2env));
}
