/**
 * Flyte agent plugin for OpenAI: `openai-batch` (the Batch API, async) and `chatgpt` (chat
 * completions, sync), with flytekit's task templates, on the official `openai` SDK (loaded on
 * first use).
 *
 * @packageDocumentation
 */
import { definePlugin } from "@flyte-agent/core";
import { OpenAIBatchAgent } from "./batch-agent";
import { ChatGPTAgent } from "./chatgpt-agent";
import { OPENAI_PLUGIN_NAME } from "./version";

export { OpenAIBatchAgent, OPENAI_BATCH_AGENT_NAME, OPENAI_BATCH_TASK_TYPE } from "./batch-agent";
export { ChatGPTAgent, CHATGPT_AGENT_NAME, CHATGPT_TASK_TYPE, MAX_MESSAGE_CHARS } from "./chatgpt-agent";
export type { OpenAIAgentOptions, ChatGPTAgentOptions, OpenAIBatchCustom, ChatGPTCustom, OpenAIBatchMeta } from "./types";
export type { RetryOptions } from "@flyte-agent/core";
export {
  DEFAULT_BASE_URL,
  DEFAULT_API_KEY_SECRET,
  DEFAULT_CONNECTION_KEY,
  DEFAULT_CHATGPT_TIMEOUT_MS,
  CHATGPT_TIMEOUT_ENV,
} from "./settings";
export { ATTEMPT_METADATA_KEY } from "./batch-metadata";
export { RUNNING_STATUSES, FAILED_STATUSES } from "./batch-state";
export { DEFAULT_MAX_RESPONSE_BYTES } from "./bounded-fetch";
export { OPENAI_PLUGIN_NAME, OPENAI_PLUGIN_VERSION } from "./version";

/** The plugin: `openai-batch` and `chatgpt`, configured from the environment once, when loaded. */
export default definePlugin({ name: OPENAI_PLUGIN_NAME, agents: [new OpenAIBatchAgent(), new ChatGPTAgent()] });
