import { status as Status } from "@grpc/grpc-js";
import { admin as adminValues, type admin, type service } from "@flyte-agent/flyteidl";
import { AgentError, TaskInputError } from "../errors";
import type { LogLine, Resource } from "../types";
import type { AgentOperations } from "./agent-operations";
import { serverStreamCall, unaryCall } from "./call-handler";
import { metricsQuery } from "./metrics-query";
import type { RequestScope, ServerEnv } from "./request-scope";
import { InvalidResourceError, toWireResource } from "./resource-wire";
import { categoryOfRequest, categoryOfTemplate } from "./routing";
import { DECODE_ERROR, type Decoded, REQUEST_BYTES } from "./safe-deserialize";

/** Rejects a request whose bytes did not decode (INVALID_ARGUMENT naming the message type). */
export function checkDecoded(req: Decoded<object>, what: string): void {
  const problem = req[DECODE_ERROR];
  if (problem !== undefined) throw new TaskInputError(`malformed ${what}: ${problem}`);
}

/** An agent's Resource as a flyteidl v1 `admin.Resource`; an invalid one is INTERNAL naming the agent. */
export function wireResource(scope: RequestScope, resource: Resource): admin.Resource {
  try {
    return toWireResource(resource);
  } catch (err) {
    if (err instanceof InvalidResourceError) {
      throw new AgentError(Status.INTERNAL, `agent "${scope.agentName}" returned an invalid Resource: ${err.message}`);
    }
    throw err;
  }
}

function toLogLine(line: string | LogLine): admin.LogLine {
  if (typeof line === "string") return { message: line, originator: adminValues.LogLineOriginator.USER, timestamp: undefined };
  const ms = line.timestamp?.getTime();
  return {
    message: line.message,
    originator: line.originator === "system" ? adminValues.LogLineOriginator.SYSTEM : adminValues.LogLineOriginator.USER,
    timestamp: ms === undefined ? undefined : { seconds: BigInt(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1e6 },
  };
}

/**
 * The flyteidl v1 AsyncAgentService adapter (CreateTask, GetTask, DeleteTask, GetTaskMetrics,
 * GetTaskLogs): maps each request to an {@link AgentOperations} call and its result to the reply.
 */
export function asyncAgentService(operations: AgentOperations, env: ServerEnv): service.AsyncAgentServiceServer {
  return {
    createTask: unaryCall(env, "create", async (scope, req: Decoded<admin.CreateTaskRequest>) => {
      checkDecoded(req, "CreateTaskRequest");
      const resourceMeta = await operations.create(
        scope,
        categoryOfTemplate(req.template),
        {
          template: req.template!,
          inputs: req.inputs ?? { literals: {} },
          outputPrefix: req.outputPrefix,
          taskExecutionMetadata: req.taskExecutionMetadata,
        },
        req[REQUEST_BYTES] ?? 0,
      );
      return { resourceMeta };
    }),

    getTask: unaryCall(env, "get", async (scope, req: Decoded<admin.GetTaskRequest>) => {
      checkDecoded(req, "GetTaskRequest");
      const taskCategory = categoryOfRequest(req);
      const resource = await operations.get(scope, req.resourceMeta, { taskCategory, outputPrefix: req.outputPrefix });
      return { resource: wireResource(scope, resource) };
    }),

    deleteTask: unaryCall(env, "delete", async (scope, req: Decoded<admin.DeleteTaskRequest>) => {
      checkDecoded(req, "DeleteTaskRequest");
      await operations.delete(scope, req.resourceMeta, { taskCategory: categoryOfRequest(req), outputPrefix: "" });
      return {};
    }),

    getTaskMetrics: unaryCall(env, "get_metrics", async (scope, req: Decoded<admin.GetTaskMetricsRequest>) => {
      checkDecoded(req, "GetTaskMetricsRequest");
      const results = await operations.metrics(scope, req.resourceMeta, {
        taskCategory: categoryOfRequest(req),
        outputPrefix: "",
        ...metricsQuery(req),
      });
      return { results };
    }),

    getTaskLogs: serverStreamCall(
      env,
      "get_logs",
      async (scope, req: Decoded<admin.GetTaskLogsRequest>, send: (m: admin.GetTaskLogsResponse) => Promise<void>) => {
        checkDecoded(req, "GetTaskLogsRequest");
        const chunks = await operations.logs(scope, req.resourceMeta, {
          taskCategory: categoryOfRequest(req),
          outputPrefix: "",
          lines: Number(req.lines),
          token: req.token,
        });
        for await (const chunk of chunks) {
          if (chunk.nextToken !== undefined) await send({ part: { $case: "header", value: { token: chunk.nextToken } } });
          if (chunk.lines && chunk.lines.length > 0) {
            const structuredLines = chunk.lines.map(toLogLine);
            await send({ part: { $case: "body", value: { results: structuredLines.map((l) => l.message), structuredLines } } });
          }
        }
      },
    ),
  };
}
