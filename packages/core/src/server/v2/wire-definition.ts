import type { handleUnaryCall } from "@grpc/grpc-js";
import { admin } from "@flyte-agent/flyteidl";
import { type connector, service } from "@flyte-agent/flyteidl/v2";
import { decodeV2CreateTaskRequest, type V2CreateTaskWire } from "../../protocols/v2/create-request-wire";

/**
 * flyteidl2's AsyncConnectorService definition with two methods reading and writing the wire
 * through flyteidl 1's generated code, which shares their field numbers: CreateTask requests are
 * decoded once, straight into the v1 request agents see ({@link decodeV2CreateTaskRequest}), and
 * GetTask replies are v1 `admin.GetTaskResponse` messages without the v1-only fields (see
 * `toV2WireResource`), encoded once. Paths, and so the service clients see, are unchanged.
 */
export const AsyncConnectorWireService = {
  ...service.AsyncConnectorServiceService,
  createTask: {
    ...service.AsyncConnectorServiceService.createTask,
    requestDeserialize: (value: Buffer): V2CreateTaskWire => decodeV2CreateTaskRequest(value),
  },
  getTask: {
    ...service.AsyncConnectorServiceService.getTask,
    responseSerialize: (value: admin.GetTaskResponse): Buffer => Buffer.from(admin.GetTaskResponse.encode(value).finish()),
  },
} as const;

/** The handlers {@link AsyncConnectorWireService} needs: the generated ones, with CreateTask and GetTask on the wire shapes. */
export type AsyncConnectorWireServer = Omit<service.AsyncConnectorServiceServer, "createTask" | "getTask"> & {
  createTask: handleUnaryCall<V2CreateTaskWire, connector.CreateTaskResponse>;
  getTask: handleUnaryCall<connector.GetTaskRequest, admin.GetTaskResponse>;
};
