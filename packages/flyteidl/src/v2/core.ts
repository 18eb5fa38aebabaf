/** Messages of the protobuf package `flyteidl2.core` that the connector protocol uses. */
export * from "../gen/v2/flyteidl2/core/artifact_id";
export * from "../gen/v2/flyteidl2/core/execution";
export * from "../gen/v2/flyteidl2/core/identifier";
export * from "../gen/v2/flyteidl2/core/interface";
export * from "../gen/v2/flyteidl2/core/literals";
export * from "../gen/v2/flyteidl2/core/metrics";
export * from "../gen/v2/flyteidl2/core/security";
export * from "../gen/v2/flyteidl2/core/tasks";
export * from "../gen/v2/flyteidl2/core/types";
