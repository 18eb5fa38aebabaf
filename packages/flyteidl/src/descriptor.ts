import { FILE_DESCRIPTOR_SET_BASE64 } from "./gen/descriptor_set";

/**
 * The serialized `google.protobuf.FileDescriptorSet` of the agent protocol and everything it
 * imports (source info stripped). Server reflection is built from it.
 */
export function loadFileDescriptorSet(): Buffer {
  return Buffer.from(FILE_DESCRIPTOR_SET_BASE64, "base64");
}
