import type { ServiceDefinition, UntypedServiceImplementation } from "@grpc/grpc-js";
import { service } from "@flyte-agent/flyteidl/v2";
import type { AgentRegistry } from "../../registry";
import { AgentOperations } from "../agent-operations";
import type { ServerEnv } from "../request-scope";
import { withSafeDeserialize } from "../safe-deserialize";
import { connectorMetadataService } from "./connector-metadata-service";
import { asyncConnectorService } from "./connector-service";
import { refuseSyncOnV2 } from "./sync-refusal";
import { AsyncConnectorWireService } from "./wire-definition";

/** flyteidl2's two connector services, each as its grpc-js definition and implementation. */
export interface ConnectorServices {
  asyncConnector: { definition: ServiceDefinition; implementation: UntypedServiceImplementation };
  connectorMetadata: { definition: ServiceDefinition; implementation: UntypedServiceImplementation };
}

/**
 * flyteidl2's AsyncConnectorService and ConnectorMetadataService over the same registry as the
 * flyteidl 1 services. `env` is the server's, relabelled `protocol: "v2"` for metrics. This module
 * loads the flyteidl2 generated code: {@link addConnectorServices} requires it on the first v2 call.
 */
export function connectorServices(registry: AgentRegistry, env: ServerEnv): ConnectorServices {
  const v2env: ServerEnv = { metrics: env.metrics, log: env.log, inFlight: env.inFlight, protocol: "v2" };
  const operations = new AgentOperations(registry, v2env, refuseSyncOnV2);
  return {
    asyncConnector: {
      definition: withSafeDeserialize(AsyncConnectorWireService),
      implementation: asyncConnectorService(operations, v2env) as unknown as UntypedServiceImplementation,
    },
    connectorMetadata: {
      definition: withSafeDeserialize(service.ConnectorMetadataServiceService),
      implementation: connectorMetadataService(registry, v2env) as unknown as UntypedServiceImplementation,
    },
  };
}
