import type { SecretSourceOptions } from "@flyte-agent/core";

/** Bounds of the retries of one SQL API request (429, 5xx and network errors). */
export interface RetryOptions {
  /** Attempts in total, the first included. @default 4 */
  maxAttempts?: number;
  /** First back-off in ms, doubled after each attempt. @default 200 */
  baseDelayMs?: number;
  /** Largest back-off in ms. @default 2000 */
  maxDelayMs?: number;
  /** A `Retry-After` longer than this (ms) is not waited for; the call reports Snowflake busy. @default 5000 */
  maxRetryAfterMs?: number;
}

/** Options of {@link SnowflakeAgent}. */
export interface SnowflakeAgentOptions {
  /**
   * SQL API base URL used instead of `https://<account>.snowflakecomputing.com` (private link,
   * proxies, tests).
   * @default process.env.FLYTE_SNOWFLAKE_ENDPOINT, else the account's host
   */
  endpoint?: string;
  /** Where secrets are read from. @default Flyte's conventions (`_FSEC_<NAME>`, then `/etc/secrets/<name>`) in {@link SnowflakeAgentOptions.env} */
  secrets?: SecretSourceOptions;
  /** Environment `FLYTE_SNOWFLAKE_*` variables (and, unless `secrets.env` is set, secrets) are read from. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Timeout of one HTTP request (connect to last byte), in ms. @default 10000 */
  requestTimeoutMs?: number;
  /** Retries of 429, 5xx and network errors inside one call. */
  retry?: RetryOptions;
  /** Most open connections per host (kept alive and reused). @default 64 */
  maxSockets?: number;
  /** Lifetime of a key-pair JWT in seconds (Snowflake allows at most 3600). @default 600 */
  jwtLifetimeSeconds?: number;
  /** A cached JWT with less than this many seconds left is replaced. @default 120 */
  jwtRenewBeforeSeconds?: number;
}

/**
 * What the agent keeps in resource_meta: where the statement runs and what GetTask needs to
 * report it. Never the key or a token.
 */
export interface SnowflakeQueryMeta {
  /** Account identifier as the task gave it. */
  account: string;
  user: string;
  database: string;
  schema: string;
  warehouse: string;
  /** The SQL API statement handle (the query id). */
  handle: string;
  /** Whether the task declares outputs (SUCCEEDED then returns `results`). */
  hasOutputs: boolean;
}
