import { status as Status } from "@grpc/grpc-js";
import type { connector } from "@flyte-agent/flyteidl/v2";
import { AgentError } from "../../errors";
import { fromV2CreateTaskWire, type V2CreateTaskWire } from "../../protocols/v2/create-request-wire";
import { toV2LogsResponses } from "../../protocols/v2/logs";
import { toV2WireResource } from "../../protocols/v2/resource";
import { fromV2TaskRequest } from "../../protocols/v2/task-request";
import { bridge } from "../../protocols/v2/wire-bridge";
import { categoryOfRequest } from "../routing";
import type { Resource } from "../../types";
import type { AgentOperations } from "../agent-operations";
import { checkDecoded } from "../async-service";
import { serverStreamCall, unaryCall } from "../call-handler";
import { metricsQuery } from "../metrics-query";
import type { RequestScope, ServerEnv } from "../request-scope";
import { InvalidResourceError } from "../resource-wire";
import { type Decoded, REQUEST_BYTES } from "../safe-deserialize";
import type { AsyncConnectorWireServer, AsyncConnectorWireService } from "./wire-definition";
import { type admin, core as v1core } from "@flyte-agent/flyteidl";
import { core as v2core } from "@flyte-agent/flyteidl/v2";

/**
 * An agent's Resource as the v1 message that encodes as a flyteidl2 Resource (see
 * {@link toV2WireResource}), with this call's connection secrets scrubbed from the message.
 */
function v2WireResource(scope: RequestScope, resource: Resource): admin.Resource {
  try {
    const wire = toV2WireResource(resource);
    wire.message = scope.redact(wire.message);
    return wire;
  } catch (err) {
    if (err instanceof InvalidResourceError) {
      throw new AgentError(Status.INTERNAL, `agent "${scope.agentName}" returned an invalid Resource: ${err.message}`);
    }
    throw err;
  }
}

/**
 * The flyteidl2 AsyncConnectorService adapter (CreateTask, GetTask, DeleteTask, GetTaskMetrics,
 * GetTaskLogs) over the same {@link AgentOperations} as flyteidl 1: requests are mapped to the
 * agent model (named literals to a literal map, `connection` into the call context), results
 * back to flyteidl2 replies. resource_meta bytes are the v1 ones, so tasks move between the
 * protocols. CreateTask requests and GetTask replies travel in the v1 shapes that share their
 * encoding ({@link AsyncConnectorWireService}), so neither is converted between generations.
 */
export function asyncConnectorService(operations: AgentOperations, env: ServerEnv): AsyncConnectorWireServer {
  return {
    createTask: unaryCall(env, "create", async (scope, req: Decoded<V2CreateTaskWire>) => {
      checkDecoded(req, "CreateTaskRequest");
      const { category, connection, ...fields } = fromV2CreateTaskWire(req);
      scope.connection = connection;
      const resourceMeta = await operations.create(scope, category, fields, req[REQUEST_BYTES] ?? 0);
      return { resourceMeta };
    }),

    getTask: unaryCall(env, "get", async (scope, req: Decoded<connector.GetTaskRequest>) => {
      checkDecoded(req, "GetTaskRequest");
      const { category, connection, resourceMeta, outputPrefix } = fromV2TaskRequest(req);
      scope.connection = connection;
      const resource = await operations.get(scope, resourceMeta, { taskCategory: category, outputPrefix });
      return { resource: v2WireResource(scope, resource) };
    }),

    deleteTask: unaryCall(env, "delete", async (scope, req: Decoded<connector.DeleteTaskRequest>) => {
      checkDecoded(req, "DeleteTaskRequest");
      const { category, connection, resourceMeta } = fromV2TaskRequest(req);
      scope.connection = connection;
      await operations.delete(scope, resourceMeta, { taskCategory: category, outputPrefix: "" });
      return {};
    }),

    getTaskMetrics: unaryCall(env, "get_metrics", async (scope, req: Decoded<connector.GetTaskMetricsRequest>) => {
      checkDecoded(req, "GetTaskMetricsRequest");
      const results = await operations.metrics(scope, req.resourceMeta, {
        taskCategory: categoryOfRequest({ taskCategory: req.taskCategory }),
        outputPrefix: "",
        ...metricsQuery(req),
      });
      return { results: results.map((r) => bridge(v1core.ExecutionMetricResult, v2core.ExecutionMetricResult, r)) };
    }),

    getTaskLogs: serverStreamCall(
      env,
      "get_logs",
      async (scope, req: Decoded<connector.GetTaskLogsRequest>, send: (m: connector.GetTaskLogsResponse) => Promise<void>) => {
        checkDecoded(req, "GetTaskLogsRequest");
        const chunks = await operations.logs(scope, req.resourceMeta, {
          taskCategory: categoryOfRequest({ taskCategory: req.taskCategory }),
          outputPrefix: "",
          lines: Number(req.lines),
          token: req.token,
        });
        for await (const chunk of chunks) {
          for (const message of toV2LogsResponses(chunk)) await send(message);
        }
      },
    ),
  };
}
