import { status as Status } from "@grpc/grpc-js";
import type { core } from "@flyte-agent/flyteidl";
import type { AsyncAgent } from "../agent";
import { AgentError } from "../errors";
import type { AgentRegistry } from "../registry";
import type {
  CallContext,
  CreateContext,
  ExecuteContext,
  LogsChunk,
  LogsContext,
  MetricsContext,
  Resource,
  TaskCategory,
  TaskContext,
} from "../types";
import { observeTaskFinished } from "../operations-metrics";
import type { RequestScope, ServerEnv } from "./request-scope";
import { decodeMeta, routeAsync, routeSync, type SyncRefusal } from "./routing";
import { warnUnknownCustomKeys } from "./unknown-custom-keys";

/** The fields of an agent context that come from the request (signal, deadline and log come from the scope). */
export type RequestFields<C extends CallContext> = Omit<C, keyof CallContext>;

/** resource_meta above this size gets a warning: propeller stores it in etcd. */
const POLITE_META_BYTES = 1024;

/**
 * What the agent service does for each call, independent of the wire protocol: route by task
 * category, build the agent's context from the scope, call the agent, encode or decode its
 * resource metadata. Protocol adapters map their request to these arguments and the result to
 * their reply; see `call-handler.ts`.
 */
export class AgentOperations {
  /**
   * @param refuseSync what an async call for a sync agent's category throws (default: v1's
   * INVALID_ARGUMENT naming ExecuteTaskSync)
   */
  constructor(
    private readonly registry: AgentRegistry,
    private readonly env: ServerEnv,
    private readonly refuseSync?: SyncRefusal,
  ) {}

  /**
   * Starts a task on its async agent.
   * @param inputBytes size of the encoded request, for the input-size metric
   * @returns the encoded resource metadata the client keeps and sends back
   */
  async create(
    scope: RequestScope,
    category: TaskCategory,
    fields: RequestFields<CreateContext>,
    inputBytes: number,
  ): Promise<Buffer> {
    const agent = routeAsync(this.registry, scope, category, this.refuseSync);
    this.env.metrics.observeInputBytes(category.name, inputBytes, this.env.protocol);
    warnUnknownCustomKeys(agent, category, fields.template.custom, this.env.log);
    const meta = await agent.create(scope.context(fields));
    const resourceMeta = Buffer.from(agent.metaCodec.encode(meta));
    for (const secret of scope.secretValues) {
      if (resourceMeta.includes(secret)) {
        throw new AgentError(
          Status.INTERNAL,
          `agent "${agent.name}" put a secret of the task's connection into resource_meta, which Flyte stores in its own state; keep secrets out of the metadata and read them from ctx.connection on every call`,
        );
      }
    }
    if (resourceMeta.length > POLITE_META_BYTES) {
      this.env.log.warn(
        { agent: agent.name, bytes: resourceMeta.length },
        "resource_meta is larger than 1 KiB; propeller stores it in etcd",
      );
    }
    return resourceMeta;
  }

  /**
   * The async agent of a task and its decoded metadata; `optional` names an optional method
   * the call needs (UNIMPLEMENTED, checked before the metadata, when the agent lacks it).
   */
  private task(
    scope: RequestScope,
    category: TaskCategory,
    resourceMeta: Uint8Array | undefined,
    optional?: { method: "getMetrics" | "getLogs"; what: string },
  ): { agent: AsyncAgent<unknown>; meta: unknown } {
    const agent = routeAsync(this.registry, scope, category, this.refuseSync);
    if (optional && !agent[optional.method]) {
      throw new AgentError(Status.UNIMPLEMENTED, `agent "${agent.name}" does not provide ${optional.what}`);
    }
    return { agent, meta: decodeMeta(agent, resourceMeta) };
  }

  /** Asks the async agent for the state of a task. */
  async get(scope: RequestScope, resourceMeta: Uint8Array | undefined, fields: RequestFields<TaskContext>): Promise<Resource> {
    const { agent, meta } = this.task(scope, fields.taskCategory, resourceMeta);
    const resource = await agent.get(meta, scope.context(fields));
    // A plugin may return anything; resource-wire refuses what is not a Resource, after this.
    observeTaskFinished(fields.taskCategory.name, (resource as Resource | null)?.phase, this.env.protocol);
    return resource;
  }

  /** Asks the async agent to cancel a task. */
  async delete(scope: RequestScope, resourceMeta: Uint8Array | undefined, fields: RequestFields<TaskContext>): Promise<void> {
    const { agent, meta } = this.task(scope, fields.taskCategory, resourceMeta);
    await agent.delete(meta, scope.context(fields));
  }

  /** The task's metrics (UNIMPLEMENTED when the agent has none). */
  async metrics(
    scope: RequestScope,
    resourceMeta: Uint8Array | undefined,
    fields: RequestFields<MetricsContext>,
  ): Promise<core.ExecutionMetricResult[]> {
    const { agent, meta } = this.task(scope, fields.taskCategory, resourceMeta, { method: "getMetrics", what: "task metrics" });
    return agent.getMetrics!(meta, scope.context(fields)); // checked by task()
  }

  /**
   * The task's log stream (UNIMPLEMENTED when the agent has none). Stops early when the call
   * is aborted.
   */
  async logs(
    scope: RequestScope,
    resourceMeta: Uint8Array | undefined,
    fields: RequestFields<LogsContext>,
  ): Promise<AsyncIterable<LogsChunk>> {
    const { agent, meta } = this.task(scope, fields.taskCategory, resourceMeta, { method: "getLogs", what: "task logs" });
    const chunks = agent.getLogs!(meta, scope.context(fields)); // checked by task()
    return (async function* untilAborted() {
      for await (const chunk of chunks) {
        if (scope.signal.aborted) return;
        yield chunk;
      }
    })();
  }

  /** Runs a task on its sync agent and returns the agent's Resource. */
  async execute(
    scope: RequestScope,
    category: TaskCategory,
    fields: RequestFields<ExecuteContext>,
    inputBytes: number,
  ): Promise<Resource> {
    const agent = routeSync(this.registry, scope, category);
    this.env.metrics.observeInputBytes(category.name, inputBytes, this.env.protocol);
    warnUnknownCustomKeys(agent, category, fields.template.custom, this.env.log);
    const resource = await agent.do(scope.context(fields));
    observeTaskFinished(category.name, (resource as Resource | null)?.phase, this.env.protocol);
    return resource;
  }
}
