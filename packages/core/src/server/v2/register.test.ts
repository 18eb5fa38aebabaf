import { service } from "@flyte-agent/flyteidl/v2";
import { ASYNC_CONNECTOR_METHODS, CONNECTOR_METADATA_METHODS } from "./register";

/** Name, path and streaming flags of each method of a grpc-js service definition. */
function shapes(definition: Record<string, { path: string; requestStream: boolean; responseStream: boolean }>) {
  return Object.entries(definition).map(([name, m]) => [name, m.path, m.requestStream, m.responseStream]);
}

describe("the flyteidl2 services registered before their code loads", () => {
  it("have the methods, paths and streaming flags of the generated AsyncConnectorService", () => {
    expect(shapes(ASYNC_CONNECTOR_METHODS)).toEqual(shapes(service.AsyncConnectorServiceService));
  });

  it("have the methods, paths and streaming flags of the generated ConnectorMetadataService", () => {
    expect(shapes(CONNECTOR_METADATA_METHODS)).toEqual(shapes(service.ConnectorMetadataServiceService));
  });
});
