import type { RetryOptions, SecretSourceOptions } from "@flyte-agent/core";

/** Options of both agents ({@link OpenAIBatchAgent} and {@link ChatGPTAgent}). */
export interface OpenAIAgentOptions {
  /**
   * The API's base URL (tests, proxies, gateways that speak the OpenAI API).
   * @default env.OPENAI_BASE_URL, else "https://api.openai.com/v1"
   */
  baseUrl?: string;
  /** Name of the Flyte secret holding the API key. @default "FLYTE_OPENAI_API_KEY" */
  apiKeySecret?: string;
  /** Key of the API key in a Flyte 2 connection's secrets. @default "openai_api_key" */
  connectionKey?: string;
  /** Where secrets are read from. @default Flyte's conventions (`_FSEC_<NAME>`, then `/etc/secrets/<name>`) in {@link OpenAIAgentOptions.env} */
  secrets?: SecretSourceOptions;
  /** Environment `OPENAI_BASE_URL` and `FLYTE_OPENAI_*` are read from, once, in the constructor. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Longest one HTTP request may take, in ms (never beyond the call's deadline). @default 30000 */
  requestTimeoutMs?: number;
  /**
   * Retries of 429 (after its `Retry-After`), 5xx and network failures inside one call, within
   * the call's deadline. @default { maxAttempts: 4, baseDelayMs: 250, maxDelayMs: 2000, maxRetryAfterMs: 5000 }
   */
  retry?: RetryOptions;
  /** Largest response body read from the API, in bytes. @default 16777216 */
  maxResponseBytes?: number;
}

/** Options of {@link ChatGPTAgent}. */
export interface ChatGPTAgentOptions extends OpenAIAgentOptions {
  /**
   * Longest a chatgpt task may take, retries included, in ms; the call's gRPC deadline cuts it
   * shorter. flytekit's connector has a fixed 10 s.
   * @default env.FLYTE_OPENAI_CHATGPT_TIMEOUT (core's duration syntax: `30s`, `1m`), else 10000
   */
  timeoutMs?: number;
}

/** The `custom` fields of an `openai-batch` task, as flytekit's `BatchEndpointTask` writes them. */
export interface OpenAIBatchCustom {
  /** The OpenAI organization (`OpenAI-Organization` header); none when null. */
  openai_organization?: string | null;
  /**
   * More parameters of `POST /v1/batches` (`endpoint`, `completion_window`, `metadata`, ...).
   * `endpoint` defaults to `/v1/chat/completions`, `completion_window` to `24h`.
   */
  config?: { [key: string]: unknown } | null;
}

/** The `custom` fields of a `chatgpt` task, as flytekit's `ChatGPTTask` writes them. */
export interface ChatGPTCustom {
  /** The OpenAI organization (`OpenAI-Organization` header); none when null. */
  openai_organization?: string | null;
  /** The body of `POST /v1/chat/completions` (`model` required); `messages` is replaced by the input `message`. */
  chatgpt_config: { model: string; [key: string]: unknown };
}

/** What an `openai-batch` task keeps in resource_meta: the batch and its organization, never the key. */
export interface OpenAIBatchMeta {
  /** The batch id, e.g. `batch_abc123`. */
  batchId: string;
  /** The organization the batch belongs to, when the task named one. */
  organization?: string;
  /** How the `result` output is written: flytekit's msgpack (the default), or the older generic Struct. */
  resultFormat?: "msgpack" | "generic";
}
