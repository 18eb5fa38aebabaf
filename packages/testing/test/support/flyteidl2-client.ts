/**
 * A flyteidl2 connector client that shares no code with this project: service descriptors and
 * messages from `@flyteorg/flyteidl2` (protobuf-es, as Flyte publishes it) and the gRPC transport
 * of `@connectrpc/connect-node`. Tests use it to check that what we serve is what Flyte 2 expects.
 *
 * Test-only: `@flyteorg/flyteidl2` ships TypeScript sources, which load under ts-jest (see
 * jest.preset.js) but not in plain Node (it strips no types under node_modules), so this module is not part of the built package.
 * Import it by path, e.g. `../../testing/test/support/flyteidl2-client` from another package's test.
 */
import { type Client, createClient } from "@connectrpc/connect";
import { createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { AsyncConnectorService, ConnectorMetadataService } from "@flyteorg/flyteidl2/flyteidl2/connector/service_pb.ts";

export {
  CreateTaskRequestSchema,
  DeleteTaskRequestSchema,
  GetConnectorRequestSchema,
  GetTaskLogsRequestSchema,
  GetTaskMetricsRequestSchema,
  GetTaskRequestSchema,
  ListConnectorsRequestSchema,
} from "@flyteorg/flyteidl2/flyteidl2/connector/connector_pb.ts";
export { TaskExecution_Phase } from "@flyteorg/flyteidl2/flyteidl2/core/execution_pb.ts";
export { AsyncConnectorService, ConnectorMetadataService };

/** Clients for both flyteidl2 connector services over one HTTP/2 connection. */
export interface Flyteidl2Clients {
  /** `flyteidl2.connector.AsyncConnectorService`: createTask, getTask, deleteTask, getTaskMetrics, getTaskLogs. */
  readonly connector: Client<typeof AsyncConnectorService>;
  /** `flyteidl2.connector.ConnectorMetadataService`: getConnector, listConnectors. */
  readonly metadata: Client<typeof ConnectorMetadataService>;
  /** Closes the HTTP/2 connection; calls after this fail. */
  close(): void;
}

/** Options of {@link createFlyteidl2Clients}. */
export interface Flyteidl2ClientOptions {
  /**
   * HTTP/2 PING interval while the connection is open, in ms, as Flyte's executor sends them.
   * @default no pings
   */
  readonly pingIntervalMs?: number;
}

/**
 * Connects to a connector server at `address` (`host:port`, plaintext HTTP/2, as the executor's
 * `insecure: true`) with the gRPC protocol.
 */
export function createFlyteidl2Clients(address: string, options: Flyteidl2ClientOptions = {}): Flyteidl2Clients {
  const baseUrl = `http://${address}`;
  const sessionManager = new Http2SessionManager(
    baseUrl,
    options.pingIntervalMs === undefined ? {} : { pingIntervalMs: options.pingIntervalMs, pingIdleConnection: true },
  );
  const transport = createGrpcTransport({ baseUrl, sessionManager });
  return {
    connector: createClient(AsyncConnectorService, transport),
    metadata: createClient(ConnectorMetadataService, transport),
    close: () => sessionManager.abort(),
  };
}
