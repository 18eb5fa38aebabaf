import { dirname, join } from "node:path";
import { loadPackageDefinition, type Server, type ServiceDefinition, type ServerDuplexStream } from "@grpc/grpc-js";
import { loadFileDescriptorSetFromBuffer, loadSync } from "@grpc/proto-loader";
import { ReflectionService } from "@grpc/reflection";
import { loadFileDescriptorSet } from "@flyte-agent/flyteidl";

/** How @grpc/reflection loads its own protos (its request/response objects follow these options). */
const REFLECTION_PROTO_OPTIONS = { longs: String, enums: String, bytes: Array, defaults: true, oneofs: true };

type ReflectionMessage = Record<string, unknown>;
type Implementation = { handleServerReflectionRequest(message: ReflectionMessage): ReflectionMessage };

/**
 * Adds gRPC server reflection (v1 and v1alpha) describing the flyteidl agent services, so
 * grpcurl and friends work without .proto files.
 *
 * Building the reflection index parses the whole flyteidl descriptor set (about 0.3 s), so it
 * is done on the first reflection request, not at start-up.
 */
export function addReflection(server: Server): void {
  let service: ReflectionService | undefined;
  const reflection = () => {
    service ??= new ReflectionService(
      loadFileDescriptorSetFromBuffer(loadFileDescriptorSet(), { keepCase: true, longs: String, enums: String, defaults: false }),
    );
    return service as unknown as { v1: Implementation; v1Alpha: Implementation };
  };
  const protoRoot = join(dirname(require.resolve("@grpc/reflection/package.json")), "build", "proto", "grpc", "reflection");
  for (const [version, pick] of [
    ["v1", (s: ReturnType<typeof reflection>) => s.v1],
    ["v1alpha", (s: ReturnType<typeof reflection>) => s.v1Alpha],
  ] as const) {
    const pkg = loadPackageDefinition(
      loadSync(join(protoRoot, version, "reflection.proto"), REFLECTION_PROTO_OPTIONS),
    ) as unknown as {
      grpc: { reflection: Record<string, { ServerReflection: { service: ServiceDefinition } }> };
    };
    const definition = pkg.grpc.reflection[version]?.ServerReflection.service;
    if (!definition) throw new Error(`reflection ${version} proto not found`);
    server.addService(definition, {
      ServerReflectionInfo(stream: ServerDuplexStream<ReflectionMessage, ReflectionMessage>) {
        stream.on("end", () => stream.end());
        stream.on("data", (message: ReflectionMessage) => {
          stream.write(pick(reflection()).handleServerReflectionRequest(message));
        });
      },
    });
  }
}
