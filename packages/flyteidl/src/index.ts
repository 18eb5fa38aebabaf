/**
 * flyteidl 1.16 for TypeScript: messages (ts-proto, int64 as `bigint`) and grpc-js service
 * definitions generated from the `.proto` files of the npm package `@flyteorg/flyteidl`.
 *
 * @packageDocumentation
 */

// The agent protocol: requests, replies, Resource, TaskCategory, ...
export * as admin from "./gen/flyteidl/admin/agent";
// grpc-js service definitions and clients: AsyncAgentService, SyncAgentService, AgentMetadataService.
export * as service from "./gen/flyteidl/service/agent";
// Literals, types, task templates, identifiers, execution phases.
export * as core from "./core";
// google.protobuf Struct, Timestamp, Duration, wrappers.
export * as protobuf from "./protobuf";

// grpc.health.v1.Health: messages and the grpc-js service definition.
export * as health from "./gen/grpc/health/v1/health";

export { loadFileDescriptorSet } from "./descriptor";
