import { type AgentPlugin, definePlugin } from "@flyte-agent/core";
import { ChatGPTAgent, OpenAIBatchAgent } from "../src";
import type { ChatGPTAgentOptions } from "../src/types";

/** The API key the tests' fakes accept (never to appear in resource_meta, messages or logs). */
export const API_KEY = "sk-test-flyte-0123456789abcdef";
/** The environment an agent reads: the fake's URL as OPENAI_BASE_URL and the pod secret. */
export function agentEnv(url: string, key: string = API_KEY): Record<string, string> {
  return { OPENAI_BASE_URL: url, _FSEC_FLYTE_OPENAI_API_KEY: key };
}

/** Both agents against a fake, with short back-offs for tests. */
export function openAIPlugin(url: string, options: ChatGPTAgentOptions = {}): AgentPlugin {
  const shared = { env: agentEnv(url), retry: { baseDelayMs: 20, maxDelayMs: 50 }, ...options };
  return definePlugin({ name: "@flyte-agent/openai", agents: [new OpenAIBatchAgent(shared), new ChatGPTAgent(shared)] });
}
