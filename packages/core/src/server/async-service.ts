import type { sendUnaryData, ServerUnaryCall, ServerWritableStream } from "@grpc/grpc-js";
import { admin as adminValues, type admin, type service } from "@flyte-agent/flyteidl";
import { TaskInputError } from "../errors";
import type { AgentRegistry } from "../registry";
import type { LogLine } from "../types";
import type { Operation } from "../metrics";
import { decodeMeta, categoryOfRequest, categoryOfTemplate, routeAsync } from "./routing";
import { toWireResource, InvalidResourceError } from "./resource-wire";
import { DECODE_ERROR, REQUEST_BYTES, type Decoded } from "./safe-deserialize";
import { RequestScope, type ServerEnv } from "./request-scope";
import { AgentError } from "../errors";
import { status as Status } from "@grpc/grpc-js";

type Req<T> = Decoded<T>;

/** Rejects a request whose bytes did not decode. */
export function checkDecoded(req: Decoded<object>, what: string): void {
  const problem = req[DECODE_ERROR];
  if (problem !== undefined) throw new TaskInputError(`malformed ${what}: ${problem}`);
}

/** Runs a unary handler inside a RequestScope and answers through the callback. */
export function serveUnary<TReq extends object, TRes>(
  env: ServerEnv,
  operation: Operation,
  call: ServerUnaryCall<TReq, TRes>,
  callback: sendUnaryData<TRes>,
  work: (scope: RequestScope, req: Decoded<TReq>) => Promise<TRes>,
): void {
  const scope = new RequestScope(env, operation, call);
  scope
    .run(() => work(scope, call.request as Decoded<TReq>))
    .then(
      (res) => {
        scope.finish(undefined);
        callback(null, res);
      },
      (status) => {
        scope.finish(status, status);
        callback(status);
      },
    );
}

function wire(agentName: string, resource: Parameters<typeof toWireResource>[0]): admin.Resource {
  try {
    return toWireResource(resource);
  } catch (err) {
    if (err instanceof InvalidResourceError) {
      throw new AgentError(Status.INTERNAL, `agent "${agentName}" returned an invalid Resource: ${err.message}`);
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

/** The AsyncAgentService implementation: CreateTask, GetTask, DeleteTask, GetTaskMetrics, GetTaskLogs. */
export function asyncAgentService(registry: AgentRegistry, env: ServerEnv): service.AsyncAgentServiceServer {
  return {
    createTask(call, callback) {
      serveUnary(env, "create", call, callback, async (scope, req: Req<admin.CreateTaskRequest>) => {
        checkDecoded(req, "CreateTaskRequest");
        const category = categoryOfTemplate(req.template);
        const agent = routeAsync(registry, scope, category);
        env.metrics.observeInputBytes(category.name, req[REQUEST_BYTES] ?? 0);
        const meta = await agent.create(
          scope.context({
            template: req.template!,
            inputs: req.inputs ?? { literals: {} },
            outputPrefix: req.outputPrefix,
            taskExecutionMetadata: req.taskExecutionMetadata,
          }),
        );
        const resourceMeta = Buffer.from(agent.metaCodec.encode(meta));
        if (resourceMeta.length > 1024) {
          env.log.warn(
            { agent: agent.name, bytes: resourceMeta.length },
            "resource_meta is larger than 1 KiB; propeller stores it in etcd",
          );
        }
        return { resourceMeta };
      });
    },

    getTask(call, callback) {
      serveUnary(env, "get", call, callback, async (scope, req: Req<admin.GetTaskRequest>) => {
        checkDecoded(req, "GetTaskRequest");
        const category = categoryOfRequest(req);
        const agent = routeAsync(registry, scope, category);
        const meta = decodeMeta(agent, req.resourceMeta);
        const resource = await agent.get(
          meta,
          scope.context({
            taskCategory: category,
            outputPrefix: req.outputPrefix,
          }),
        );
        return { resource: wire(agent.name, resource) };
      });
    },

    deleteTask(call, callback) {
      serveUnary(env, "delete", call, callback, async (scope, req: Req<admin.DeleteTaskRequest>) => {
        checkDecoded(req, "DeleteTaskRequest");
        const category = categoryOfRequest(req);
        const agent = routeAsync(registry, scope, category);
        const meta = decodeMeta(agent, req.resourceMeta);
        await agent.delete(
          meta,
          scope.context({
            taskCategory: category,
            outputPrefix: "",
          }),
        );
        return {};
      });
    },

    getTaskMetrics(call, callback) {
      serveUnary(env, "get_metrics", call, callback, async (scope, req: Req<admin.GetTaskMetricsRequest>) => {
        checkDecoded(req, "GetTaskMetricsRequest");
        const category = categoryOfRequest(req);
        const agent = routeAsync(registry, scope, category);
        if (!agent.getMetrics) {
          throw new AgentError(Status.UNIMPLEMENTED, `agent "${agent.name}" does not provide task metrics`);
        }
        const meta = decodeMeta(agent, req.resourceMeta);
        const toDate = (t: typeof req.startTime) =>
          t ? new Date(Number(t.seconds) * 1000 + Math.floor(t.nanos / 1e6)) : undefined;
        const results = await agent.getMetrics(
          meta,
          scope.context({
            taskCategory: category,
            outputPrefix: "",
            queries: req.queries,
            startTime: toDate(req.startTime),
            endTime: toDate(req.endTime),
            stepSeconds: req.step ? Number(req.step.seconds) + req.step.nanos / 1e9 : undefined,
          }),
        );
        return { results };
      });
    },

    getTaskLogs(call: ServerWritableStream<admin.GetTaskLogsRequest, admin.GetTaskLogsResponse>) {
      const scope = new RequestScope(env, "get_logs", call);
      const req = call.request as Req<admin.GetTaskLogsRequest>;
      scope
        .run(async () => {
          checkDecoded(req, "GetTaskLogsRequest");
          const category = categoryOfRequest(req);
          const agent = routeAsync(registry, scope, category);
          if (!agent.getLogs) {
            throw new AgentError(Status.UNIMPLEMENTED, `agent "${agent.name}" does not provide task logs`);
          }
          const meta = decodeMeta(agent, req.resourceMeta);
          const chunks = agent.getLogs(
            meta,
            scope.context({
              taskCategory: category,
              outputPrefix: "",
              lines: Number(req.lines),
              token: req.token,
            }),
          );
          for await (const chunk of chunks) {
            if (scope.signal.aborted) break;
            if (chunk.nextToken !== undefined) {
              await writeWithBackpressure(call, { part: { $case: "header", value: { token: chunk.nextToken } } });
            }
            if (chunk.lines && chunk.lines.length > 0) {
              const structuredLines = chunk.lines.map(toLogLine);
              await writeWithBackpressure(call, {
                part: { $case: "body", value: { results: structuredLines.map((l) => l.message), structuredLines } },
              });
            }
          }
        })
        .then(
          () => {
            scope.finish(undefined);
            call.end();
          },
          (status) => {
            scope.finish(status, status);
            call.emit("error", status);
          },
        );
    },
  };
}

function writeWithBackpressure(
  call: ServerWritableStream<unknown, admin.GetTaskLogsResponse>,
  msg: admin.GetTaskLogsResponse,
): Promise<void> {
  return new Promise((resolve) => {
    if (call.write(msg)) resolve();
    else call.once("drain", () => resolve());
  });
}
