/** Messages of the protobuf package `flyteidl.core` that the agent protocol uses. */
export * from "./gen/flyteidl/core/artifact_id";
export * from "./gen/flyteidl/core/condition";
export * from "./gen/flyteidl/core/execution";
export * from "./gen/flyteidl/core/identifier";
export * from "./gen/flyteidl/core/interface";
export * from "./gen/flyteidl/core/literals";
export * from "./gen/flyteidl/core/metrics";
export * from "./gen/flyteidl/core/security";
export * from "./gen/flyteidl/core/tasks";
export * from "./gen/flyteidl/core/types";
export * from "./gen/flyteidl/core/workflow";
