import { dirname, join } from "node:path";
import type { ServerDuplexStream, ServiceDefinition } from "@grpc/grpc-js";
import type { ServiceHost } from "./service-host";
import type { Protocol } from "../metrics";

/** How @grpc/reflection loads its own protos (its request/response objects follow these options). */
const REFLECTION_PROTO_OPTIONS = { longs: String, enums: String, bytes: Array, defaults: true, oneofs: true };

type ReflectionMessage = Record<string, unknown>;
type Implementation = { handleServerReflectionRequest(message: ReflectionMessage): ReflectionMessage };
type Codec = { serialize(value: ReflectionMessage): Buffer; deserialize(bytes: Buffer): ReflectionMessage };
type Version = "v1" | "v1alpha";

/**
 * What reflection needs, loaded on the first reflection request: @grpc/reflection, proto-loader
 * and the index of the flyteidl descriptor set cost about 20 MB and 0.3 s, which most servers
 * never need.
 */
class LazyReflection {
  private implementations: Record<Version, Implementation> | undefined;
  private readonly codecs = new Map<Version, { request: Codec; response: Codec }>();

  constructor(private readonly protocols: readonly Protocol[]) {}

  implementation(version: Version): Implementation {
    if (!this.implementations) {
      const { loadFileDescriptorSetFromBuffer } = require("@grpc/proto-loader") as typeof import("@grpc/proto-loader");
      const { ReflectionService } = require("@grpc/reflection") as typeof import("@grpc/reflection");
      const options = { keepCase: true, longs: String, enums: String, defaults: false };
      let definition = {};
      if (this.protocols.includes("v1")) {
        const { loadFileDescriptorSet } = require("@flyte-agent/flyteidl") as typeof import("@flyte-agent/flyteidl");
        definition = { ...definition, ...loadFileDescriptorSetFromBuffer(loadFileDescriptorSet(), options) };
      }
      if (this.protocols.includes("v2")) {
        const v2 = require("@flyte-agent/flyteidl/v2") as typeof import("@flyte-agent/flyteidl/v2");
        definition = { ...definition, ...loadFileDescriptorSetFromBuffer(v2.loadFileDescriptorSet(), options) };
      }
      const service = new ReflectionService(definition) as unknown as { v1: Implementation; v1Alpha: Implementation };
      this.implementations = { v1: service.v1, v1alpha: service.v1Alpha };
    }
    return this.implementations[version];
  }

  codec(version: Version): { request: Codec; response: Codec } {
    let codec = this.codecs.get(version);
    if (!codec) {
      const { loadSync } = require("@grpc/proto-loader") as typeof import("@grpc/proto-loader");
      const protoPath = join(
        dirname(require.resolve("@grpc/reflection/package.json")),
        "build",
        "proto",
        "grpc",
        "reflection",
        version,
        "reflection.proto",
      );
      const pkg = loadSync(protoPath, REFLECTION_PROTO_OPTIONS);
      const method = pkg[`grpc.reflection.${version}.ServerReflection`] as unknown as Record<
        string,
        {
          requestSerialize: Codec["serialize"];
          requestDeserialize: Codec["deserialize"];
          responseSerialize: Codec["serialize"];
          responseDeserialize: Codec["deserialize"];
        }
      >;
      const m = method.ServerReflectionInfo;
      if (!m) throw new Error(`reflection ${version} proto not found`);
      codec = {
        request: { serialize: m.requestSerialize, deserialize: m.requestDeserialize },
        response: { serialize: m.responseSerialize, deserialize: m.responseDeserialize },
      };
      this.codecs.set(version, codec);
    }
    return codec;
  }
}

/**
 * Adds gRPC server reflection (v1 and v1alpha) describing the served protocols' services
 * (flyteidl 1 agent services, flyteidl2 connector services) and grpc.health.v1, so grpcurl and
 * friends work without .proto files. Everything it needs is loaded on the first reflection
 * request, not at start-up.
 */
export function addReflection(server: ServiceHost, protocols: readonly Protocol[] = ["v1"]): void {
  const lazy = new LazyReflection(protocols);
  for (const version of ["v1", "v1alpha"] as const) {
    const definition: ServiceDefinition = {
      ServerReflectionInfo: {
        path: `/grpc.reflection.${version}.ServerReflection/ServerReflectionInfo`,
        requestStream: true,
        responseStream: true,
        requestSerialize: (v: ReflectionMessage) => lazy.codec(version).request.serialize(v),
        requestDeserialize: (b: Buffer) => lazy.codec(version).request.deserialize(b),
        responseSerialize: (v: ReflectionMessage) => lazy.codec(version).response.serialize(v),
        responseDeserialize: (b: Buffer) => lazy.codec(version).response.deserialize(b),
      },
    };
    server.addService(definition, {
      ServerReflectionInfo(stream: ServerDuplexStream<ReflectionMessage, ReflectionMessage>) {
        stream.on("end", () => stream.end());
        stream.on("data", (message: ReflectionMessage) => {
          stream.write(lazy.implementation(version).handleServerReflectionRequest(message));
        });
      },
    });
  }
}
