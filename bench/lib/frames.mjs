// Encodes the bench's requests with the generated flyteidl code, and frames them for h2load.
import { writeFileSync } from "node:fs";
import { loadCore } from "./repo.mjs";

export const PATHS = {
  create: "/flyteidl.service.AsyncAgentService/CreateTask",
  get: "/flyteidl.service.AsyncAgentService/GetTask",
  delete: "/flyteidl.service.AsyncAgentService/DeleteTask",
  listAgents: "/flyteidl.service.AgentMetadataService/ListAgents",
  getAgent: "/flyteidl.service.AgentMetadataService/GetAgent",
};

/** A CreateTaskRequest like propeller's: template of a category, a few inputs, execution metadata. */
export function createTaskBytes({ type, version = 0, custom, inputs = {}, nodeId = "n0" }) {
  const { flyteidl, toLiteralMap } = loadCore();
  const { admin, core } = flyteidl;
  const req = admin.CreateTaskRequest.fromPartial({
    template: core.TaskTemplate.fromPartial({
      id: { resourceType: 1, project: "bench", domain: "development", name: "bench.task", version: "v1" },
      type,
      taskTypeVersion: version,
      custom,
      interface: undefined,
    }),
    inputs: toLiteralMap(inputs),
    outputPrefix: `s3://bench-bucket/metadata/propeller/bench-${nodeId}/0`,
    taskExecutionMetadata: {
      taskExecutionId: {
        taskId: { resourceType: 1, project: "bench", domain: "development", name: "bench.task", version: "v1" },
        nodeExecutionId: { nodeId, executionId: { project: "bench", domain: "development", name: "exec1" } },
        retryAttempt: 0,
      },
      namespace: "bench-development",
      labels: { team: "bench" },
      k8sServiceAccount: "default",
    },
  });
  return Buffer.from(admin.CreateTaskRequest.encode(req).finish());
}

/** A GetTaskRequest as propeller sends it (task_type and task_category both set). */
export function getTaskBytes({ type, version = 0, resourceMeta, outputPrefix = "s3://bench-bucket/out/0" }) {
  const { flyteidl } = loadCore();
  const { admin } = flyteidl;
  const req = admin.GetTaskRequest.fromPartial({
    taskType: type,
    taskCategory: { name: type, version },
    resourceMeta,
    outputPrefix,
  });
  return Buffer.from(admin.GetTaskRequest.encode(req).finish());
}

/** A DeleteTaskRequest as propeller sends it (task_type and task_category both set). */
export function deleteTaskBytes({ type, version = 0, resourceMeta }) {
  const { admin } = loadCore().flyteidl;
  const req = admin.DeleteTaskRequest.fromPartial({ taskType: type, taskCategory: { name: type, version }, resourceMeta });
  return Buffer.from(admin.DeleteTaskRequest.encode(req).finish());
}

/** A GetAgentRequest for the agent called `name`. */
export function getAgentBytes(name) {
  const { admin } = loadCore().flyteidl;
  return Buffer.from(admin.GetAgentRequest.encode(admin.GetAgentRequest.fromPartial({ name })).finish());
}

/** The agent names in a ListAgentsResponse. */
export function agentNamesOf(reply) {
  return loadCore()
    .flyteidl.admin.ListAgentsResponse.decode(reply)
    .agents.map((a) => a.name);
}

/** Decodes a CreateTaskResponse's resource_meta. */
export function resourceMetaOf(reply) {
  const { flyteidl } = loadCore();
  return Buffer.from(flyteidl.admin.CreateTaskResponse.decode(reply).resourceMeta);
}

/** Decodes a GetTaskResponse's Resource. */
export function resourceOf(reply) {
  const { flyteidl } = loadCore();
  return flyteidl.admin.GetTaskResponse.decode(reply).resource;
}

/** Writes one gRPC length-prefixed message to `file` (an h2load -d body). */
export function writeGrpcFrame(file, message) {
  const prefix = Buffer.alloc(5);
  prefix.writeUInt32BE(message.length, 1);
  writeFileSync(file, Buffer.concat([prefix, message]));
  return file;
}
