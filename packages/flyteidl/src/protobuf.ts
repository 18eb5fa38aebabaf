/** Well-known types of the protobuf package `google.protobuf` used by flyteidl. */
export * from "./gen/google/protobuf/duration";
export * from "./gen/google/protobuf/struct";
export * from "./gen/google/protobuf/timestamp";
export * from "./gen/google/protobuf/wrappers";
