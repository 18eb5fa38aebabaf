// The flyteidl2 (Flyte 2 connector) twins of frames.mjs: the same requests, mapped onto
// flyteidl2 with core's client-side v2 adapter and encoded with the generated flyteidl2 code.
import { join } from "node:path";
import { CORE_DIR, loadCore } from "./repo.mjs";
import { createRequire } from "node:module";

export const PATHS_V2 = {
  create: "/flyteidl2.connector.AsyncConnectorService/CreateTask",
  get: "/flyteidl2.connector.AsyncConnectorService/GetTask",
  delete: "/flyteidl2.connector.AsyncConnectorService/DeleteTask",
  listConnectors: "/flyteidl2.connector.ConnectorMetadataService/ListConnectors",
};

const coreRequire = createRequire(join(CORE_DIR, "package.json"));

function v2() {
  loadCore(); // the same "run pnpm build first" hint when nothing is built
  const { connector } = coreRequire("@flyte-agent/flyteidl/v2");
  const adapter = coreRequire(join(CORE_DIR, "dist", "protocols", "v2", "client-requests.js"));
  return { connector, adapter };
}

/** A v1 CreateTaskRequest (bytes from frames.mjs) as the flyteidl2 request the executor would send. */
export function createTaskBytesV2(v1Bytes) {
  const { flyteidl } = loadCore();
  const { connector, adapter } = v2();
  const req = adapter.toV2CreateTaskRequest(flyteidl.admin.CreateTaskRequest.decode(v1Bytes));
  return Buffer.from(connector.CreateTaskRequest.encode(req).finish());
}

/** A flyteidl2 GetTaskRequest for a task category and resource_meta. */
export function getTaskBytesV2({ type, version = 0, resourceMeta, outputPrefix = "s3://bench-bucket/out/0" }) {
  const { connector } = v2();
  const req = connector.GetTaskRequest.fromPartial({ taskCategory: { name: type, version }, resourceMeta, outputPrefix });
  return Buffer.from(connector.GetTaskRequest.encode(req).finish());
}

/** Decodes a flyteidl2 CreateTaskResponse's resource_meta. */
export function resourceMetaOfV2(reply) {
  return Buffer.from(v2().connector.CreateTaskResponse.decode(reply).resourceMeta);
}

/** Decodes a flyteidl2 GetTaskResponse's Resource. */
export function resourceOfV2(reply) {
  return v2().connector.GetTaskResponse.decode(reply).resource;
}
