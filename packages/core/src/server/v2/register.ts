import type { ServiceHost } from "../service-host";
import type { AgentRegistry } from "../../registry";
import type { ServerEnv } from "../request-scope";
import { lazyService, type MethodShape } from "../lazy-service";
import type { ConnectorServices } from "./connector-services";

const unary = (path: string): MethodShape => ({ path, requestStream: false, responseStream: false });

/**
 * The methods of flyteidl2's AsyncConnectorService, keyed as in the generated grpc-js definition
 * (a test checks them against it).
 */
export const ASYNC_CONNECTOR_METHODS: Readonly<Record<string, MethodShape>> = {
  createTask: unary("/flyteidl2.connector.AsyncConnectorService/CreateTask"),
  getTask: unary("/flyteidl2.connector.AsyncConnectorService/GetTask"),
  deleteTask: unary("/flyteidl2.connector.AsyncConnectorService/DeleteTask"),
  getTaskMetrics: unary("/flyteidl2.connector.AsyncConnectorService/GetTaskMetrics"),
  getTaskLogs: { path: "/flyteidl2.connector.AsyncConnectorService/GetTaskLogs", requestStream: false, responseStream: true },
};

/** The methods of flyteidl2's ConnectorMetadataService (a test checks them against the generated definition). */
export const CONNECTOR_METADATA_METHODS: Readonly<Record<string, MethodShape>> = {
  getConnector: unary("/flyteidl2.connector.ConnectorMetadataService/GetConnector"),
  listConnectors: unary("/flyteidl2.connector.ConnectorMetadataService/ListConnectors"),
};

/**
 * Registers flyteidl2's AsyncConnectorService and ConnectorMetadataService on `server`, over the
 * same registry as the flyteidl 1 services. `env` is the server's, relabelled `protocol: "v2"`
 * for metrics. The services are registered at once; their code (the flyteidl2 generated
 * messages and the v2 handlers, about 3 MiB of resident memory) loads on the first v2 call, so a
 * server that Flyte 1 propellers alone call never loads it.
 */
export function addConnectorServices(server: ServiceHost, registry: AgentRegistry, env: ServerEnv): void {
  let services: ConnectorServices | undefined;
  const load = (): ConnectorServices => {
    services ??= (require("./connector-services") as typeof import("./connector-services")).connectorServices(registry, env);
    return services;
  };
  const asyncConnector = lazyService(ASYNC_CONNECTOR_METHODS, () => load().asyncConnector);
  const connectorMetadata = lazyService(CONNECTOR_METADATA_METHODS, () => load().connectorMetadata);
  server.addService(asyncConnector.definition, asyncConnector.implementation);
  server.addService(connectorMetadata.definition, connectorMetadata.implementation);
}
