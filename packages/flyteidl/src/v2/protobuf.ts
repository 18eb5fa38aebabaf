/** Well-known types of the protobuf package `google.protobuf` used by flyteidl2. */
export * from "../gen/v2/google/protobuf/duration";
export * from "../gen/v2/google/protobuf/struct";
export * from "../gen/v2/google/protobuf/timestamp";
export * from "../gen/v2/google/protobuf/wrappers";
