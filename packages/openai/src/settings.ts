import {
  type AgentLogger,
  type CallContext,
  type Connection,
  parseDuration,
  requireSecret,
  retryPolicy,
  type SecretSourceOptions,
} from "@flyte-agent/core";
import { DEFAULT_MAX_RESPONSE_BYTES } from "./bounded-fetch";
import type { ClientSettings, OpenAICall } from "./openai-client";
import type { ChatGPTAgentOptions, OpenAIAgentOptions } from "./types";

/** The API every call goes to unless configured otherwise. */
export const DEFAULT_BASE_URL = "https://api.openai.com/v1";
/** The Flyte secret holding the API key (flytekit's name). */
export const DEFAULT_API_KEY_SECRET = "FLYTE_OPENAI_API_KEY";
/** The key of the API key in a Flyte 2 connection. */
export const DEFAULT_CONNECTION_KEY = "openai_api_key";
/** The chatgpt timeout when none is configured (flytekit's fixed one). */
export const DEFAULT_CHATGPT_TIMEOUT_MS = 10_000;
/** Environment variable of the chatgpt timeout. */
export const CHATGPT_TIMEOUT_ENV = "FLYTE_OPENAI_CHATGPT_TIMEOUT";

const DEFAULT_RETRY = { maxAttempts: 4, baseDelayMs: 250, maxDelayMs: 2_000, maxRetryAfterMs: 5_000 } as const;

/** An agent's options with defaults applied and checked (a RangeError names a bad one). */
export class AgentSettings {
  readonly client: ClientSettings;
  private readonly secretName: string;
  private readonly connectionKey: string;
  private readonly secretSource: SecretSourceOptions;

  constructor(options: OpenAIAgentOptions) {
    const env = options.env ?? process.env;
    const baseUrl = options.baseUrl ?? (env.OPENAI_BASE_URL?.trim() || DEFAULT_BASE_URL);
    let url: URL;
    try {
      url = new URL(baseUrl);
    } catch {
      throw new RangeError(`the OpenAI base URL must be an http(s) URL, got "${baseUrl}"`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new RangeError(`the OpenAI base URL must be an http(s) URL, got "${baseUrl}"`);
    }
    const requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    if (!(requestTimeoutMs > 0)) throw new RangeError(`requestTimeoutMs must be > 0, got ${requestTimeoutMs}`);
    const maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    if (!(maxResponseBytes >= 1024)) throw new RangeError(`maxResponseBytes must be >= 1024, got ${maxResponseBytes}`);
    this.client = {
      baseUrl: baseUrl.replace(/\/+$/, ""),
      requestTimeoutMs,
      maxResponseBytes,
      retry: retryPolicy(options.retry, DEFAULT_RETRY),
    };
    this.secretName = options.apiKeySecret ?? DEFAULT_API_KEY_SECRET;
    this.connectionKey = options.connectionKey ?? DEFAULT_CONNECTION_KEY;
    this.secretSource = { ...options.secrets, env: options.secrets?.env ?? env };
  }

  /** The API key: the call's Flyte 2 connection first, then the pod's secret (FAILED_PRECONDITION when neither has it). */
  apiKey(connection: Connection | undefined): string {
    return requireSecret(this.secretName, {
      ...this.secretSource,
      connection,
      connectionKey: this.connectionKey,
      what: "OpenAI API key",
    });
  }

  /** One call's credentials, signal and deadline. */
  call(
    ctx: CallContext,
    organization: string | null,
    deadline: Date | undefined = ctx.deadline,
    log: AgentLogger = ctx.log,
  ): OpenAICall {
    return { apiKey: this.apiKey(ctx.connection), organization, signal: ctx.signal, deadline, log };
  }
}

/** The chatgpt timeout from options or the environment (core's duration syntax). */
export function chatTimeoutMs(options: ChatGPTAgentOptions): number {
  const env = options.env ?? process.env;
  const fromEnv = env[CHATGPT_TIMEOUT_ENV]?.trim();
  const value = options.timeoutMs ?? (fromEnv ? parseDuration(fromEnv, CHATGPT_TIMEOUT_ENV) : DEFAULT_CHATGPT_TIMEOUT_MS);
  if (!(value > 0)) throw new RangeError(`the chatgpt timeout must be > 0, got ${value}`);
  return value;
}
