/**
 * The flyteidl2 (Flyte 2 connector) protocol adapter: pure functions between flyteidl2 messages
 * and the protocol-neutral agent model. resource_meta bytes pass through untouched, so a task
 * created over one protocol can be polled and deleted over the other.
 */
export { fromV2Connection } from "./connection";
export { type CreateTaskInput, fromV2CreateTaskRequest } from "./create-request";
export { fromV2NamedLiterals, toV2NamedLiterals } from "./literals";
export { toV2LogLine, toV2LogsResponses } from "./logs";
export { type ConnectorListOptions, toV2Connector, toV2GetConnectorResponse, toV2ListConnectorsResponse } from "./metadata";
export { decodeV2CreateTaskRequest, fromV2CreateTaskWire, type V2CreateTaskWire } from "./create-request-wire";
export { fromV1Resource, toV2Resource, toV2WireResource } from "./resource";
export { fromV2TaskRequest, type TaskRequestInput } from "./task-request";
export { bridge, type WireCodec } from "./wire-bridge";
export { forEachLengthDelimited, WireCursor, type WireField } from "./wire-fields";
