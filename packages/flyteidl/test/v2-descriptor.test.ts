/**
 * The flyteidl2 descriptor set rebuilt at generate time describes the connector services, and
 * the package root does not load any flyteidl2 code.
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { createFileRegistry, fromBinary } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { FLYTEIDL2_VERSION, loadFileDescriptorSet, service } from "../src/v2";

describe("flyteidl2 descriptor set and service definitions", () => {
  const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, loadFileDescriptorSet()));

  it("is generated from the pinned @flyteorg/flyteidl2", () => {
    expect(FLYTEIDL2_VERSION).toBe(require("@flyteorg/flyteidl2/package.json").version);
  });

  it("describes AsyncConnectorService with GetTaskLogs server streaming, and ConnectorMetadataService", () => {
    const asyncService = registry.getService("flyteidl2.connector.AsyncConnectorService");
    expect(asyncService?.methods.map((m) => [m.name, m.methodKind])).toEqual([
      ["CreateTask", "unary"],
      ["GetTask", "unary"],
      ["DeleteTask", "unary"],
      ["GetTaskMetrics", "unary"],
      ["GetTaskLogs", "server_streaming"],
    ]);
    expect(registry.getService("flyteidl2.connector.ConnectorMetadataService")?.methods.map((m) => m.name)).toEqual([
      "GetConnector",
      "ListConnectors",
    ]);
  });

  it("has json names restored, as protoc would set them", () => {
    const field = registry.getMessage("flyteidl2.connector.CreateTaskRequest")?.fields.find((f) => f.name === "output_prefix");
    expect(field?.proto.jsonName).toBe("outputPrefix");
  });

  it("grpc-js service definitions use the flyteidl2 paths", () => {
    expect(service.AsyncConnectorServiceService.createTask.path).toBe("/flyteidl2.connector.AsyncConnectorService/CreateTask");
    expect(service.AsyncConnectorServiceService.getTaskLogs.responseStream).toBe(true);
    expect(service.ConnectorMetadataServiceService.listConnectors.path).toBe(
      "/flyteidl2.connector.ConnectorMetadataService/ListConnectors",
    );
  });

  it("the built package root loads no flyteidl2 module, the v2 subpath does", () => {
    const loaded = (entry: string): string[] =>
      JSON.parse(
        execFileSync(
          process.execPath,
          ["-e", `require(${JSON.stringify(entry)}); console.log(JSON.stringify(Object.keys(require.cache)))`],
          {
            cwd: join(__dirname, ".."),
            encoding: "utf8",
          },
        ),
      );
    const root = loaded("@flyte-agent/flyteidl");
    expect(root.some((k) => k.includes("/dist/gen/flyteidl/"))).toBe(true);
    expect(root.filter((k) => k.includes("/gen/v2/"))).toEqual([]);
    expect(loaded("@flyte-agent/flyteidl/v2").some((k) => k.includes("/dist/gen/v2/flyteidl2/connector/"))).toBe(true);
  });
});
