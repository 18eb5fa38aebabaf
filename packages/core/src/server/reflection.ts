import type { Server } from "@grpc/grpc-js";
import { loadFileDescriptorSetFromBuffer } from "@grpc/proto-loader";
import { ReflectionService } from "@grpc/reflection";
import { loadFileDescriptorSet } from "@flyte-agent/flyteidl";

/**
 * Adds gRPC server reflection (v1 and v1alpha) describing the flyteidl agent services, so
 * grpcurl and friends work without .proto files.
 */
export function addReflection(server: Server): void {
  const definition = loadFileDescriptorSetFromBuffer(loadFileDescriptorSet(), {
    keepCase: true,
    longs: String,
    enums: String,
    defaults: false,
  });
  new ReflectionService(definition).addToServer(server);
}
