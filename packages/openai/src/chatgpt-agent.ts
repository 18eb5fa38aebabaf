import {
  type ExecuteContext,
  integralFloatsToIntegers,
  isAgentError,
  StatusCode,
  Phase,
  type Resource,
  SyncAgent,
  type TaskCategory,
  TaskInputError,
  toOutputLiteralMap,
} from "@flyte-agent/core";
import { customOf, describe, objectField, organizationOf, stringInput } from "./custom";
import { authMessage } from "./errors";
import { requestOpenAI } from "./openai-client";
import { AgentSettings, chatTimeoutMs } from "./settings";
import type { ChatGPTAgentOptions } from "./types";

/** Display name of the agent (flytekit's). */
export const CHATGPT_AGENT_NAME = "ChatGPT Connector";
/** The task type flytekit's `ChatGPTTask` registers. */
export const CHATGPT_TASK_TYPE = "chatgpt";
/** Longest `message` input sent (characters). */
export const MAX_MESSAGE_CHARS = 1_000_000;
/** Extra time propeller's ExecuteTaskSync deadline needs beyond the chat timeout (gRPC, secrets, the answer). */
const DEADLINE_HEADROOM_MS = 5_000;

interface ChatCompletion {
  choices?: Array<{ message?: { content?: unknown; refusal?: unknown }; finish_reason?: unknown }>;
}

/**
 * Runs `chatgpt` tasks (flytekit's `ChatGPTTask`): one chat completion per task, the input
 * `message` as the only user message, the first choice's text as the output `o0`.
 */
export class ChatGPTAgent extends SyncAgent {
  readonly name = CHATGPT_AGENT_NAME;
  readonly category: TaskCategory = { name: CHATGPT_TASK_TYPE, version: 0 };
  /** The top-level keys of `custom` this agent reads. */
  readonly customKeys = ["openai_organization", "chatgpt_config"] as const;
  /** The longest a task may take, retries included (the call's deadline cuts it shorter). */
  readonly timeoutMs: number;
  /**
   * The ExecuteTaskSync deadline this agent needs (its timeout plus headroom);
   * `flyte-agent propeller-config` writes at least this.
   */
  override readonly minExecuteDeadlineMs: number;
  private readonly settings: AgentSettings;

  constructor(options: ChatGPTAgentOptions = {}) {
    super();
    this.settings = new AgentSettings(options);
    this.timeoutMs = chatTimeoutMs(options);
    this.minExecuteDeadlineMs = this.timeoutMs + DEADLINE_HEADROOM_MS;
  }

  /**
   * Sends the chat completion. A wrong template or input, auth failures, refusals, empty answers
   * and requests OpenAI refuses are FAILED; rate limits, server errors and timeouts that outlast
   * the retries (or the time) are RETRYABLE_FAILED, so propeller tries the task again. A missing
   * API key secret is FAILED_PRECONDITION (the deployment must change).
   */
  async do(ctx: ExecuteContext): Promise<Resource> {
    try {
      return await this.complete(ctx);
    } catch (err) {
      // Propeller retries a sync task whose call fails; a wrong template or input fails it for good.
      if (isAgentError(err) && err.code === StatusCode.INVALID_ARGUMENT) return { phase: Phase.FAILED, message: err.message };
      throw err;
    }
  }

  private async complete(ctx: ExecuteContext): Promise<Resource> {
    const custom = customOf(ctx.template, CHATGPT_TASK_TYPE);
    const organization = organizationOf(custom);
    const config = integralFloatsToIntegers(objectField(custom, "chatgpt_config"), "custom.chatgpt_config") as {
      [key: string]: unknown;
    };
    if (typeof config.model !== "string" || config.model === "") {
      throw new TaskInputError(`custom.chatgpt_config.model must name a model, got ${describe(config.model)}`);
    }
    if (config.stream === true)
      throw new TaskInputError("custom.chatgpt_config.stream is not supported: the task needs the whole answer");
    const message = stringInput(ctx.inputs, "message", MAX_MESSAGE_CHARS);
    const body = { ...config, messages: [{ role: "user", content: message }] };

    const budgetEnd = new Date(Date.now() + this.timeoutMs);
    const deadline = ctx.deadline && ctx.deadline < budgetEnd ? ctx.deadline : budgetEnd;
    const call = this.settings.call(ctx, organization, deadline);
    const outcome = await requestOpenAI(this.settings.client, call, "chat completion", (client, options) =>
      client.chat.completions.create(body as never, options).withResponse(),
    );
    if (outcome.kind === "unavailable")
      return { phase: Phase.RETRYABLE_FAILED, message: `no chat completion: ${outcome.message}` };
    if (outcome.kind === "refused") {
      if (outcome.status === 401 || outcome.status === 403) {
        return { phase: Phase.FAILED, message: authMessage(outcome.status, organization, outcome.message) };
      }
      return { phase: Phase.FAILED, message: `OpenAI refused the chat completion (HTTP ${outcome.status}): ${outcome.message}` };
    }
    const choice = (outcome.value as ChatCompletion).choices?.[0];
    const refusal = choice?.message?.refusal;
    if (typeof refusal === "string" && refusal !== "") {
      return { phase: Phase.FAILED, message: `the model refused to answer: ${refusal.slice(0, 1000)}` };
    }
    const content = choice?.message?.content;
    if (typeof content !== "string" || content === "") {
      const reason = typeof choice?.finish_reason === "string" ? ` (finish_reason: ${choice.finish_reason})` : "";
      return { phase: Phase.FAILED, message: `the model answered with no text${choice ? "" : " (no choices)"}${reason}` };
    }
    return { phase: Phase.SUCCEEDED, outputs: toOutputLiteralMap({ o0: content }, ctx.template) };
  }
}
