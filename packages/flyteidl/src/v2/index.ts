/**
 * flyteidl2 (Flyte 2) connector protocol for TypeScript: messages (ts-proto, int64 as `bigint`)
 * and grpc-js service definitions generated from the descriptors embedded in the npm package
 * `@flyteorg/flyteidl2`, with the same generator and options as the flyteidl 1 code.
 *
 * Import it as `@flyte-agent/flyteidl/v2`; the package root does not load it, so a process that
 * serves only flyteidl 1 pays nothing for it.
 *
 * @packageDocumentation
 */

// flyteidl2.connector messages: CreateTaskRequest, GetTaskResponse, Resource, Connector, ...
export * as connector from "../gen/v2/flyteidl2/connector/connector";
// grpc-js service definitions and clients: AsyncConnectorService, ConnectorMetadataService.
export * as service from "../gen/v2/flyteidl2/connector/service";
// flyteidl2.core: literals, types, task templates, identifiers, Connection, TaskExecution_Phase.
export * as core from "./core";
// flyteidl2.task: Inputs and Outputs (named literals), TaskContext.
export * as task from "../gen/v2/flyteidl2/task/common";
// flyteidl2.logs.dataplane: LogLine and friends (GetTaskLogs replies).
export * as logs from "../gen/v2/flyteidl2/logs/dataplane/payload";
// google.protobuf Struct, Timestamp, Duration, wrappers.
export * as protobuf from "./protobuf";

export { FLYTEIDL2_VERSION, loadFileDescriptorSet } from "./descriptor";
