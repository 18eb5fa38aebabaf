import { FILE_DESCRIPTOR_SET_BASE64, FLYTEIDL2_VERSION } from "../gen/v2/descriptor_set";

/** The version of the npm package `@flyteorg/flyteidl2` this code was generated from. */
export { FLYTEIDL2_VERSION };

/**
 * The serialized `google.protobuf.FileDescriptorSet` of `flyteidl2/connector/service.proto` and
 * everything it imports, rebuilt from the descriptors embedded in `@flyteorg/flyteidl2`. Server
 * reflection can be built from it.
 */
export function loadFileDescriptorSet(): Buffer {
  return Buffer.from(FILE_DESCRIPTOR_SET_BASE64, "base64");
}
