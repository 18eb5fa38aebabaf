import * as grpc from "@grpc/grpc-js";
import {
  AgentConnection,
  type Connection,
  flyteidl,
  type RpcCallError,
  type TaskCategory,
  type WireProtocol,
} from "@flyte-agent/core";
import { track } from "./auto-close";
import { runClientTask, type RunTaskRequest, type RunTaskResult } from "./run-task";

type TaskTemplate = flyteidl.core.TaskTemplate;
type LiteralMap = flyteidl.core.LiteralMap;
type TaskExecutionMetadata = flyteidl.admin.TaskExecutionMetadata;

/** Per-RPC deadlines in milliseconds, named like propeller's `timeouts` keys. */
export interface PropellerTimeouts {
  /** @default 3000 (the Helm charts' value) */
  ListAgents?: number;
  /** @default 10000 */
  CreateTask?: number;
  /** @default 10000 */
  GetTask?: number;
  /** @default 10000 */
  DeleteTask?: number;
  /** One deadline for the whole stream. @default 10000 */
  ExecuteTaskSync?: number;
}

/** Options of {@link PropellerClient}. */
export interface PropellerClientOptions {
  /** Channel credentials (propeller: plaintext with `insecure: true`, else TLS without a client certificate). @default plaintext */
  credentials?: grpc.ChannelCredentials;
  /** Per-RPC deadlines (over v2, `ListAgents` is the ListConnectors deadline). @default see {@link PropellerTimeouts} */
  timeouts?: PropellerTimeouts;
  /**
   * The wire protocol: `"v1"` calls the flyteidl agent services as FlytePropeller 1.x does,
   * `"v2"` the `flyteidl2.connector` services as the Flyte 2 executor does (ListConnectors,
   * every task through CreateTask; ExecuteTaskSync rejects with UNIMPLEMENTED without a call).
   * Requests and replies are flyteidl 1 messages either way. @default "v1"
   */
  protocol?: WireProtocol;
  /** The connection sent with every v2 CreateTask, GetTask and DeleteTask (ignored over v1). @default none */
  connection?: Connection;
}

/** What {@link PropellerClient.createTask} and {@link PropellerClient.executeTaskSync} send. */
export interface CreateTaskInput {
  /** The task template (its `type`/`task_type_version` pick the agent). */
  template: TaskTemplate;
  /** Task inputs. @default an empty LiteralMap */
  inputs?: LiteralMap;
  /** Output prefix of this attempt. @default "s3://test-bucket/outputs/attempt-0" */
  outputPrefix?: string;
  /** The subset propeller fills in (execution id, namespace, labels...). @default a test execution id */
  taskExecutionMetadata?: TaskExecutionMetadata;
}

/**
 * A failed RPC: `code` is the gRPC status, `details` the server's message, `operation` the call
 * (core's {@link RpcCallError}).
 */
export type RpcError = RpcCallError;

/** The output prefix sent when a test gives none. */
export const DEFAULT_OUTPUT_PREFIX = "s3://test-bucket/outputs/attempt-0";
const PROPELLER_MAX_RECEIVE = 4 * 1024 * 1024;

/** The task execution metadata propeller would send for a test execution. */
export function testExecutionMetadata(name = "test-execution", retryAttempt = 0): TaskExecutionMetadata {
  const ids = { project: "flytesnacks", domain: "development", org: "" };
  return {
    taskExecutionId: {
      taskId: { resourceType: flyteidl.core.ResourceType.TASK, ...ids, name: "test.task", version: "v1" },
      nodeExecutionId: { nodeId: "n0", executionId: { ...ids, name } },
      retryAttempt,
    },
    namespace: "flytesnacks-development",
    labels: {},
    annotations: {},
    k8sServiceAccount: "default",
    environmentVariables: {},
    maxAttempts: 1,
    interruptible: false,
    interruptibleFailureThreshold: 0,
    overrides: undefined,
    identity: undefined,
  };
}

/**
 * A client that talks to an agent service the way FlytePropeller does, built on core's
 * {@link AgentConnection}: ListAgents on a new connection each time, CreateTask/GetTask/DeleteTask
 * with `task_type` and `task_category`, ExecuteTaskSync sending the header then the inputs and
 * reading exactly one reply, and {@link PropellerClient.runTask} that drives a task to a
 * terminal phase with core's run loop. Test conveniences on top: default inputs, output prefix
 * and execution metadata, and `resource_meta` as a Uint8Array.
 *
 * RPC failures reject with {@link RpcError} (`code`, `details`).
 */
export class PropellerClient {
  /** The underlying connection (for core's `executeTask` / `awaitTerminalPhase`). */
  readonly connection: AgentConnection;
  /** The wire protocol of every call. */
  readonly protocol: WireProtocol;
  private readonly untrack: () => void;

  constructor(
    /** `host:port` of the agent service. */
    readonly address: string,
    options: PropellerClientOptions = {},
  ) {
    const t = {
      ListAgents: 3000,
      CreateTask: 10000,
      GetTask: 10000,
      DeleteTask: 10000,
      ExecuteTaskSync: 10000,
      ...options.timeouts,
    };
    this.connection = new AgentConnection(address, options.credentials ?? grpc.credentials.createInsecure(), {
      timeouts: {
        listAgents: t.ListAgents,
        createTask: t.CreateTask,
        getTask: t.GetTask,
        deleteTask: t.DeleteTask,
        executeTaskSync: t.ExecuteTaskSync,
      },
      channelOptions: { "grpc.max_receive_message_length": PROPELLER_MAX_RECEIVE },
      listAgentsOnFreshConnection: true,
      protocol: options.protocol,
      connection: options.connection,
    });
    this.protocol = this.connection.protocol;
    this.untrack = track(this);
  }

  /**
   * ListAgents on a fresh connection that is closed afterwards (propeller polls it every 10 s);
   * over v2 ListConnectors, every entry async and without deprecated task types.
   */
  async listAgents(): Promise<flyteidl.admin.Agent[]> {
    return (await this.connection.listAgents()).agents;
  }

  /** CreateTask; resolves to the `resource_meta` of the reply (the only field propeller uses). */
  async createTask(input: CreateTaskInput): Promise<Uint8Array> {
    const res = await this.connection.createTask({
      template: input.template,
      inputs: input.inputs ?? { literals: {} },
      outputPrefix: input.outputPrefix ?? DEFAULT_OUTPUT_PREFIX,
      taskExecutionMetadata: input.taskExecutionMetadata ?? testExecutionMetadata(),
    });
    return new Uint8Array(res.resourceMeta);
  }

  /** GetTask with the deprecated `task_type` too (version 0 is absent on the wire, as propeller sends it). */
  async getTask(
    category: TaskCategory,
    resourceMeta: Uint8Array,
    outputPrefix = DEFAULT_OUTPUT_PREFIX,
  ): Promise<flyteidl.admin.Resource> {
    const res = await this.connection.getTask({
      taskType: category.name,
      taskCategory: { name: category.name, version: category.version },
      resourceMeta: Buffer.from(resourceMeta),
      outputPrefix,
    });
    if (!res.resource) throw new Error("GetTask answered without a resource");
    return res.resource;
  }

  /** DeleteTask (propeller sends it on abort of an unfinished task and retries any error forever). */
  async deleteTask(category: TaskCategory, resourceMeta: Uint8Array): Promise<void> {
    await this.connection.deleteTask({
      taskType: category.name,
      taskCategory: { name: category.name, version: category.version },
      resourceMeta: Buffer.from(resourceMeta),
    });
  }

  /**
   * ExecuteTaskSync as propeller runs it: sends the header, then the inputs (always, even
   * empty), closes its side and reads exactly one reply, which must be the header variant
   * holding a Resource. Whatever follows is ignored (the call is cancelled).
   */
  executeTaskSync(input: CreateTaskInput): Promise<flyteidl.admin.Resource> {
    return this.connection.executeTaskSync(syncHeader(input), input.inputs ?? { literals: {} });
  }

  /**
   * ExecuteTaskSync reading every reply until the server ends the stream (for conformance
   * checks: a sync agent must answer with exactly one message).
   */
  executeTaskSyncAll(input: CreateTaskInput): Promise<flyteidl.admin.ExecuteTaskSyncResponse[]> {
    return new Promise((resolve, reject) => {
      if (this.protocol !== "v1") {
        // flyteidl2 has no sync service; the connection refuses the same way executeTaskSync does.
        this.connection.executeTaskSync(syncHeader(input), { literals: {} }).then(() => resolve([]), reject);
        return;
      }
      const call = this.connection.openExecuteTaskSync(syncHeader(input), input.inputs ?? { literals: {} });
      const replies: flyteidl.admin.ExecuteTaskSyncResponse[] = [];
      call.on("data", (msg: flyteidl.admin.ExecuteTaskSyncResponse) => replies.push(msg));
      call.on("error", reject);
      call.on("end", () => resolve(replies));
    });
  }

  /**
   * Runs a task to the end like propeller, with core's run loop: ListAgents decides sync or
   * async; async tasks are created, then polled with GetTask until a terminal phase
   * (RETRYABLE_FAILED included), and deleted when `signal` aborts, `timeoutMs` passes or GetTask
   * keeps failing. Resolves with the last Resource (whatever its phase) and the phase timeline;
   * rejects with {@link TaskRunError} on abort, timeout or too many GetTask errors.
   */
  runTask(request: RunTaskRequest): Promise<RunTaskResult> {
    return runClientTask(this, request);
  }

  /** Closes the channel. */
  close(): void {
    this.untrack();
    this.connection.close();
  }
}

/** The ExecuteTaskSync header propeller sends for this input. */
function syncHeader(input: CreateTaskInput): flyteidl.admin.CreateRequestHeader {
  return {
    template: input.template,
    outputPrefix: input.outputPrefix ?? DEFAULT_OUTPUT_PREFIX,
    taskExecutionMetadata: input.taskExecutionMetadata ?? testExecutionMetadata(),
    maxDatasetSizeBytes: 0n,
  };
}
