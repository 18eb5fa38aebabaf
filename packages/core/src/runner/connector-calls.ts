import { type ChannelCredentials, type ChannelOptions, type ClientOptions, status as Status } from "@grpc/grpc-js";
import type { admin } from "@flyte-agent/flyteidl";
import { type connector, service } from "@flyte-agent/flyteidl/v2";
import type { Connection } from "../connection";
import {
  toV1ListAgentsResponse,
  toV1Resource,
  toV2CreateTaskRequest,
  toV2DeleteTaskRequest,
  toV2GetTaskRequest,
} from "../protocols/v2/client-requests";
import { RpcCallError, unary as unaryV1 } from "./unary-call";

/**
 * A unary flyteidl2 call; UNIMPLEMENTED for the whole service (a server that speaks only
 * flyteidl 1) gets a hint to use protocol v1.
 */
async function unary<Req, Res>(...args: Parameters<typeof unaryV1<Req, Res>>): Promise<Res> {
  try {
    return await unaryV1(...args);
  } catch (err) {
    if (err instanceof RpcCallError && err.code === Status.UNIMPLEMENTED && err.details.includes("/flyteidl2.")) {
      throw new RpcCallError(
        err.operation,
        err.code,
        `${err.details} (this agent service does not serve flyteidl2 connectors: use protocol v1)`,
      );
    }
    throw err;
  }
}

/**
 * The flyteidl2 side of {@link AgentConnection}: `AsyncConnectorService` and
 * `ConnectorMetadataService` called the way the Flyte 2 executor calls them, taking and
 * returning the flyteidl 1 messages the run loop uses. The connection, when set, goes with
 * every CreateTask, GetTask and DeleteTask.
 */
export class ConnectorCalls {
  private readonly asyncClient: service.AsyncConnectorServiceClient;
  private readonly metadataClient: service.ConnectorMetadataServiceClient;

  constructor(
    target: string,
    channelCredentials: ChannelCredentials,
    channelOverride: NonNullable<ClientOptions["channelOverride"]>,
    private readonly connection: Connection | undefined,
  ) {
    this.asyncClient = new service.AsyncConnectorServiceClient(target, channelCredentials, { channelOverride });
    this.metadataClient = new service.ConnectorMetadataServiceClient(target, channelCredentials, { channelOverride });
  }

  /** ConnectorMetadataService/ListConnectors on a channel of its own that is closed afterwards. */
  static async listConnectorsFresh(
    target: string,
    channelCredentials: ChannelCredentials,
    channelOptions: ChannelOptions,
    timeoutMs: number | undefined,
    signal?: AbortSignal,
  ): Promise<admin.ListAgentsResponse> {
    const fresh = new service.ConnectorMetadataServiceClient(target, channelCredentials, channelOptions);
    try {
      return toV1ListAgentsResponse(await unary("ListConnectors", fresh.listConnectors.bind(fresh), {}, timeoutMs, signal));
    } finally {
      fresh.close();
    }
  }

  /** ConnectorMetadataService/ListConnectors, read as a ListAgents reply (every entry async). */
  async listConnectors(timeoutMs: number | undefined, signal?: AbortSignal): Promise<admin.ListAgentsResponse> {
    const client = this.metadataClient;
    return toV1ListAgentsResponse(await unary("ListConnectors", client.listConnectors.bind(client), {}, timeoutMs, signal));
  }

  /** AsyncConnectorService/CreateTask. */
  async createTask(
    req: admin.CreateTaskRequest,
    timeoutMs: number | undefined,
    signal?: AbortSignal,
  ): Promise<admin.CreateTaskResponse> {
    const client = this.asyncClient;
    const res: connector.CreateTaskResponse = await unary(
      "CreateTask",
      client.createTask.bind(client),
      toV2CreateTaskRequest(req, this.connection),
      timeoutMs,
      signal,
    );
    return { resourceMeta: res.resourceMeta };
  }

  /** AsyncConnectorService/GetTask; the Resource is read back as a v1 Resource. */
  async getTask(req: admin.GetTaskRequest, timeoutMs: number | undefined, signal?: AbortSignal): Promise<admin.GetTaskResponse> {
    const client = this.asyncClient;
    const res: connector.GetTaskResponse = await unary(
      "GetTask",
      client.getTask.bind(client),
      toV2GetTaskRequest(req, this.connection),
      timeoutMs,
      signal,
    );
    if (res.resource === undefined) return { resource: undefined };
    try {
      return { resource: toV1Resource(res.resource) };
    } catch (err) {
      throw new RpcCallError("GetTask", Status.INTERNAL, `the reply's Resource is malformed: ${(err as Error).message}`);
    }
  }

  /** AsyncConnectorService/DeleteTask. */
  async deleteTask(
    req: admin.DeleteTaskRequest,
    timeoutMs: number | undefined,
    signal?: AbortSignal,
  ): Promise<admin.DeleteTaskResponse> {
    const client = this.asyncClient;
    await unary("DeleteTask", client.deleteTask.bind(client), toV2DeleteTaskRequest(req, this.connection), timeoutMs, signal);
    return {};
  }
}
