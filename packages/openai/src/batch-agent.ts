import { randomBytes } from "node:crypto";
import {
  AgentError,
  AsyncAgent,
  type CreateContext,
  expectMetaFields,
  InvalidMetaError,
  Phase,
  type Resource,
  StatusCode,
  type TaskCategory,
  type TaskContext,
  TaskInputError,
  attemptIdentity,
  type flyteidl,
  idempotencyKey,
  integralFloatsToIntegers,
  isMsgpackStruct,
  msgpackStructType,
  structLiteral,
  type PlainValue,
} from "@flyte-agent/core";
import { ATTEMPT_METADATA_KEY, batchMetadata } from "./batch-metadata";
import { phaseOfBatch } from "./batch-state";
import { customOf, objectField, organizationOf, stringInput } from "./custom";
import { authMessage, authStatus } from "./errors";
import { type OpenAICall, requestOpenAI } from "./openai-client";
import { AgentSettings } from "./settings";
import type { OpenAIAgentOptions, OpenAIBatchMeta } from "./types";

/** Display name of the agent (flytekit's). */
export const OPENAI_BATCH_AGENT_NAME = "OpenAI Batch Endpoint Connector";
/** The task type flytekit's `BatchEndpointTask` registers. */
export const OPENAI_BATCH_TASK_TYPE = "openai-batch";

/** Namespace of the attempt keys, so they differ from other plugins' keys for the same attempt. */
const IDEMPOTENCY_NAMESPACE = "flyte-agent-openai-batch/v1";
/** How many of the newest batches are searched for one a previous CreateTask started. */
const SCAN_LIMIT = 100;
/** Longest `input_file_id` accepted. */
const MAX_FILE_ID_CHARS = 256;
const BATCH_ID = /^[A-Za-z0-9_-]{1,128}$/;

type Batch = { [key: string]: unknown };

/**
 * Runs `openai-batch` tasks (flytekit's `BatchEndpointTask`) on OpenAI's Batch API: create starts
 * a batch for the input file (once per task attempt, however often propeller repeats
 * CreateTask), get reports its status with the batch object as the `result` output, delete
 * cancels it.
 */
export class OpenAIBatchAgent extends AsyncAgent<OpenAIBatchMeta> {
  readonly name = OPENAI_BATCH_AGENT_NAME;
  readonly category: TaskCategory = { name: OPENAI_BATCH_TASK_TYPE, version: 0 };
  /** The top-level keys of `custom` this agent reads. */
  readonly customKeys = ["openai_organization", "config"] as const;
  private readonly settings: AgentSettings;

  constructor(options: OpenAIAgentOptions = {}) {
    super();
    this.settings = new AgentSettings(options);
  }

  /**
   * Starts the batch, or finds the one a previous CreateTask of this attempt started: the batch
   * is tagged `metadata.flyte_attempt` with the attempt's idempotency key, and the 100 newest
   * batches are searched for it first.
   */
  async create(ctx: CreateContext): Promise<OpenAIBatchMeta> {
    const custom = customOf(ctx.template, OPENAI_BATCH_TASK_TYPE);
    const organization = organizationOf(custom);
    const config = integralFloatsToIntegers(objectField(custom, "config"), "custom.config") as { [key: string]: unknown };
    const inputFileId = stringInput(ctx.inputs, "input_file_id", MAX_FILE_ID_CHARS);
    const identity = attemptIdentity(ctx.taskExecutionMetadata);
    const attemptKey = identity ? idempotencyKey(identity, IDEMPOTENCY_NAMESPACE) : randomBytes(32).toString("hex");
    const body = {
      completion_window: "24h",
      endpoint: "/v1/chat/completions",
      ...config,
      input_file_id: inputFileId,
      metadata: batchMetadata(config.metadata, attemptKey),
    };
    const resultType = ctx.template.interface?.outputs?.variables.result?.type;
    const resultFormat = resultType === undefined || isMsgpackStruct(resultType) ? "msgpack" : "generic";
    const call = this.settings.call(ctx, organization);

    // A local run has a fresh random key: no earlier batch can carry it.
    const earlier = identity ? await this.findBatch(call, attemptKey) : undefined;
    if (earlier) {
      ctx.log.info({ batchId: earlier, organization }, "found the batch this attempt already started");
      return this.meta(earlier, organization, resultFormat);
    }
    const outcome = await requestOpenAI(this.settings.client, call, "create batch", (client, options) =>
      client.batches.create(body as never, options).withResponse(),
    );
    if (outcome.kind === "unavailable")
      throw new AgentError(StatusCode.UNAVAILABLE, `cannot create the batch: ${outcome.message}`);
    if (outcome.kind === "refused") {
      if (outcome.status === 401 || outcome.status === 403) {
        throw new AgentError(authStatus(outcome.status), authMessage(outcome.status, organization, outcome.message));
      }
      throw new TaskInputError(`OpenAI refused the batch (HTTP ${outcome.status}): ${outcome.message}`);
    }
    const id = (outcome.value as unknown as Batch).id;
    if (typeof id !== "string" || !BATCH_ID.test(id)) {
      throw new AgentError(StatusCode.UNAVAILABLE, "OpenAI answered the batch request without a batch id");
    }
    ctx.log.info({ batchId: id, organization }, "created OpenAI batch");
    return this.meta(id, organization, resultFormat);
  }

  /** Reads the batch; its object is the `result` output (flytekit sends it on every poll). */
  async get(meta: OpenAIBatchMeta, ctx: TaskContext): Promise<Resource> {
    const organization = meta.organization ?? null;
    const outcome = await requestOpenAI(
      this.settings.client,
      this.settings.call(ctx, organization),
      "get batch",
      (client, options) => client.batches.retrieve(meta.batchId, options).withResponse(),
    );
    if (outcome.kind === "unavailable") {
      return { phase: Phase.RETRYABLE_FAILED, message: `cannot read batch ${meta.batchId}: ${outcome.message}` };
    }
    if (outcome.kind === "refused") {
      if (outcome.status === 401 || outcome.status === 403) {
        return { phase: Phase.FAILED, message: authMessage(outcome.status, organization, outcome.message) };
      }
      const what =
        outcome.status === 404 ? `batch ${meta.batchId} does not exist` : `OpenAI refused to report batch ${meta.batchId}`;
      return { phase: Phase.FAILED, message: `${what} (HTTP ${outcome.status}): ${outcome.message}` };
    }
    const batch = outcome.value as unknown as Batch;
    const { phase, message } = phaseOfBatch(batch);
    const type = meta.resultFormat === "generic" ? undefined : msgpackStructType();
    const outputs: flyteidl.core.LiteralMap = { literals: { result: structLiteral(batch as PlainValue, type) } };
    return { phase, message, outputs };
  }

  /** Cancels the batch; one that is already finished, cancelled or gone is fine. */
  async delete(meta: OpenAIBatchMeta, ctx: TaskContext): Promise<void> {
    const organization = meta.organization ?? null;
    const outcome = await requestOpenAI(
      this.settings.client,
      this.settings.call(ctx, organization),
      "cancel batch",
      (client, options) => client.batches.cancel(meta.batchId, options).withResponse(),
    );
    if (outcome.kind === "ok") return;
    if (outcome.kind === "unavailable") {
      throw new AgentError(StatusCode.UNAVAILABLE, `cannot cancel batch ${meta.batchId}: ${outcome.message}`);
    }
    if (outcome.status === 401 || outcome.status === 403) {
      throw new AgentError(authStatus(outcome.status), authMessage(outcome.status, organization, outcome.message));
    }
    // 404: gone; 400 / 409: it can no longer be cancelled (completed, failed, expired, cancelled).
    if ([400, 404, 409].includes(outcome.status)) {
      ctx.log.info({ batchId: meta.batchId, status: outcome.status }, "batch not cancelled: already over or gone");
      return;
    }
    throw new AgentError(
      StatusCode.FAILED_PRECONDITION,
      `OpenAI refused to cancel batch ${meta.batchId} (HTTP ${outcome.status}): ${outcome.message}`,
    );
  }

  protected override validateMeta(value: unknown): OpenAIBatchMeta {
    const meta = expectMetaFields<OpenAIBatchMeta>(value, {
      batchId: "string",
      organization: "string?",
      resultFormat: "string?",
    });
    if (!BATCH_ID.test(meta.batchId)) throw new InvalidMetaError("resource_meta batchId is not an OpenAI batch id");
    if (meta.resultFormat !== undefined && meta.resultFormat !== "msgpack" && meta.resultFormat !== "generic") {
      throw new InvalidMetaError('resource_meta resultFormat must be "msgpack" or "generic"');
    }
    return meta;
  }

  private meta(batchId: string, organization: string | null, resultFormat: "msgpack" | "generic"): OpenAIBatchMeta {
    return { batchId, ...(organization ? { organization } : {}), ...(resultFormat === "generic" ? { resultFormat } : {}) };
  }

  /** The newest batch tagged with this attempt's key among the 100 newest, if any. */
  private async findBatch(call: OpenAICall, attemptKey: string): Promise<string | undefined> {
    const outcome = await requestOpenAI(this.settings.client, call, "list batches", (client, options) =>
      client.batches.list({ limit: SCAN_LIMIT }, options).withResponse(),
    );
    if (outcome.kind === "unavailable") {
      throw new AgentError(StatusCode.UNAVAILABLE, `cannot look for a batch this attempt started: ${outcome.message}`);
    }
    if (outcome.kind === "refused") {
      if (outcome.status === 401 || outcome.status === 403) {
        throw new AgentError(authStatus(outcome.status), authMessage(outcome.status, call.organization, outcome.message));
      }
      throw new AgentError(
        StatusCode.FAILED_PRECONDITION,
        `OpenAI refused to list batches (HTTP ${outcome.status}): ${outcome.message}`,
      );
    }
    const page = outcome.value as unknown as { data?: unknown };
    const batches = Array.isArray(page.data) ? (page.data as Batch[]) : [];
    const found = batches.find(
      (b) => (b.metadata as Record<string, unknown> | null | undefined)?.[ATTEMPT_METADATA_KEY] === attemptKey,
    );
    return typeof found?.id === "string" && BATCH_ID.test(found.id) ? found.id : undefined;
  }
}
