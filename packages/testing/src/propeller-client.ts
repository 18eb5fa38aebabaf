import * as grpc from "@grpc/grpc-js";
import { flyteidl, type TaskCategory } from "@flyte-agent/core";
import { track } from "./auto-close";
import { runTask, type RunTaskRequest, type RunTaskResult } from "./run-task";

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
  /** Per-RPC deadlines. @default see {@link PropellerTimeouts} */
  timeouts?: PropellerTimeouts;
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

/** A ServiceError from a failed RPC: `code` is the gRPC status, `details` the server's message. */
export type RpcError = grpc.ServiceError;

const DEFAULT_OUTPUT_PREFIX = "s3://test-bucket/outputs/attempt-0";
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

type Callback<Res> = (err: grpc.ServiceError | null, res: Res) => void;

/**
 * A client that talks to an agent service the way FlytePropeller does: ListAgents on a new
 * connection each time, CreateTask/GetTask/DeleteTask with `task_type` and `task_category`,
 * ExecuteTaskSync sending the header then the inputs and reading exactly one reply, and
 * {@link PropellerClient.runTask} that drives a task to a terminal phase.
 *
 * RPC failures reject with the grpc-js ServiceError ({@link RpcError}: `code`, `details`).
 */
export class PropellerClient {
  private readonly credentials: grpc.ChannelCredentials;
  private readonly timeouts: Required<PropellerTimeouts>;
  private readonly asyncClient: flyteidl.service.AsyncAgentServiceClient;
  private readonly syncClient: flyteidl.service.SyncAgentServiceClient;
  private readonly untrack: () => void;

  constructor(
    /** `host:port` of the agent service. */
    readonly address: string,
    options: PropellerClientOptions = {},
  ) {
    this.credentials = options.credentials ?? grpc.credentials.createInsecure();
    this.timeouts = {
      ListAgents: 3000,
      CreateTask: 10000,
      GetTask: 10000,
      DeleteTask: 10000,
      ExecuteTaskSync: 10000,
      ...options.timeouts,
    };
    const channelOptions = { "grpc.max_receive_message_length": PROPELLER_MAX_RECEIVE };
    this.asyncClient = new flyteidl.service.AsyncAgentServiceClient(address, this.credentials, channelOptions);
    this.syncClient = new flyteidl.service.SyncAgentServiceClient(address, this.credentials, channelOptions);
    this.untrack = track(this);
  }

  /** ListAgents on a fresh connection that is closed afterwards (propeller polls it every 10 s). */
  async listAgents(): Promise<flyteidl.admin.Agent[]> {
    const client = new flyteidl.service.AgentMetadataServiceClient(this.address, this.credentials, {
      "grpc.use_local_subchannel_pool": 1,
      "grpc.max_receive_message_length": PROPELLER_MAX_RECEIVE,
    });
    try {
      const res = await this.unary<flyteidl.admin.ListAgentsResponse>("ListAgents", (md, opts, cb) =>
        client.listAgents({}, md, opts, cb),
      );
      return res.agents;
    } finally {
      client.close();
    }
  }

  /** CreateTask; resolves to the `resource_meta` of the reply (the only field propeller uses). */
  async createTask(input: CreateTaskInput): Promise<Uint8Array> {
    const req: flyteidl.admin.CreateTaskRequest = {
      template: input.template,
      inputs: input.inputs ?? { literals: {} },
      outputPrefix: input.outputPrefix ?? DEFAULT_OUTPUT_PREFIX,
      taskExecutionMetadata: input.taskExecutionMetadata ?? testExecutionMetadata(),
    };
    const res = await this.unary<flyteidl.admin.CreateTaskResponse>("CreateTask", (md, opts, cb) =>
      this.asyncClient.createTask(req, md, opts, cb),
    );
    return new Uint8Array(res.resourceMeta);
  }

  /** GetTask with the deprecated `task_type` too (version 0 is absent on the wire, as propeller sends it). */
  async getTask(
    category: TaskCategory,
    resourceMeta: Uint8Array,
    outputPrefix = DEFAULT_OUTPUT_PREFIX,
  ): Promise<flyteidl.admin.Resource> {
    const req: flyteidl.admin.GetTaskRequest = {
      taskType: category.name,
      taskCategory: { name: category.name, version: category.version },
      resourceMeta: Buffer.from(resourceMeta),
      outputPrefix,
    };
    const res = await this.unary<flyteidl.admin.GetTaskResponse>("GetTask", (md, opts, cb) =>
      this.asyncClient.getTask(req, md, opts, cb),
    );
    if (!res.resource) throw new Error("GetTask answered without a resource");
    return res.resource;
  }

  /** DeleteTask (propeller sends it on abort of an unfinished task and retries any error forever). */
  async deleteTask(category: TaskCategory, resourceMeta: Uint8Array): Promise<void> {
    const req: flyteidl.admin.DeleteTaskRequest = {
      taskType: category.name,
      taskCategory: { name: category.name, version: category.version },
      resourceMeta: Buffer.from(resourceMeta),
    };
    await this.unary<flyteidl.admin.DeleteTaskResponse>("DeleteTask", (md, opts, cb) =>
      this.asyncClient.deleteTask(req, md, opts, cb),
    );
  }

  /**
   * ExecuteTaskSync as propeller runs it: sends the header, then the inputs (always, even
   * empty), closes its side and reads exactly one reply, which must be the header variant
   * holding a Resource. Whatever follows is ignored (the call is cancelled).
   */
  executeTaskSync(input: CreateTaskInput): Promise<flyteidl.admin.Resource> {
    return new Promise((resolve, reject) => {
      const call = this.openSync(input);
      let settled = false;
      const settle = (fn: () => void) => {
        if (settled) return;
        settled = true;
        fn();
      };
      call.on("data", (msg: flyteidl.admin.ExecuteTaskSyncResponse) => {
        settle(() => {
          const res = msg.res;
          if (res?.$case === "header" && res.value.resource) resolve(res.value.resource);
          else
            reject(
              new Error(
                `the first ExecuteTaskSync reply must be a header holding a Resource, got ${res?.$case ?? "an empty message"}`,
              ),
            );
        });
        call.cancel();
      });
      call.on("error", (err: grpc.ServiceError) => settle(() => reject(err)));
      call.on("end", () => settle(() => reject(new Error("ExecuteTaskSync ended without a reply"))));
    });
  }

  /**
   * ExecuteTaskSync reading every reply until the server ends the stream (for conformance
   * checks: a sync agent must answer with exactly one message).
   */
  executeTaskSyncAll(input: CreateTaskInput): Promise<flyteidl.admin.ExecuteTaskSyncResponse[]> {
    return new Promise((resolve, reject) => {
      const call = this.openSync(input);
      const replies: flyteidl.admin.ExecuteTaskSyncResponse[] = [];
      call.on("data", (msg: flyteidl.admin.ExecuteTaskSyncResponse) => replies.push(msg));
      call.on("error", reject);
      call.on("end", () => resolve(replies));
    });
  }

  /**
   * Runs a task to the end like propeller: ListAgents decides sync or async; async tasks are
   * created, then polled with GetTask until a terminal phase (RETRYABLE_FAILED included), and
   * deleted when `signal` aborts or `timeoutMs` passes. Resolves with the last Resource and the
   * phase timeline; rejects with {@link TaskRunError} on abort/timeout or too many GetTask errors.
   */
  runTask(request: RunTaskRequest): Promise<RunTaskResult> {
    return runTask(this, request);
  }

  /** Closes the channels. */
  close(): void {
    this.untrack();
    this.asyncClient.close();
    this.syncClient.close();
  }

  private openSync(
    input: CreateTaskInput,
  ): grpc.ClientDuplexStream<flyteidl.admin.ExecuteTaskSyncRequest, flyteidl.admin.ExecuteTaskSyncResponse> {
    const call = this.syncClient.executeTaskSync({ deadline: Date.now() + this.timeouts.ExecuteTaskSync });
    call.write({
      part: {
        $case: "header",
        value: {
          template: input.template,
          outputPrefix: input.outputPrefix ?? DEFAULT_OUTPUT_PREFIX,
          taskExecutionMetadata: input.taskExecutionMetadata ?? testExecutionMetadata(),
          maxDatasetSizeBytes: 0n,
        },
      },
    });
    call.write({ part: { $case: "inputs", value: input.inputs ?? { literals: {} } } });
    call.end();
    return call;
  }

  private unary<Res>(
    rpc: keyof PropellerTimeouts,
    invoke: (md: grpc.Metadata, opts: Partial<grpc.CallOptions>, cb: Callback<Res>) => grpc.ClientUnaryCall,
  ): Promise<Res> {
    return new Promise((resolve, reject) => {
      invoke(new grpc.Metadata(), { deadline: Date.now() + this.timeouts[rpc] }, (err, res) =>
        err ? reject(err) : resolve(res),
      );
    });
  }
}
