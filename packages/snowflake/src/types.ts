import type { RetryOptions, SecretSourceOptions } from "@flyte-agent/core";

/** Options of {@link SnowflakeAgent}. */
export interface SnowflakeAgentOptions {
  /**
   * SQL API base URL used instead of `https://<account>.snowflakecomputing.com` (private link,
   * proxies, tests).
   * @default env.FLYTE_SNOWFLAKE_ENDPOINT (read when the agent is constructed), else the account's host
   */
  endpoint?: string;
  /** Where secrets are read from. @default Flyte's conventions (`_FSEC_<NAME>`, then `/etc/secrets/<name>`) in {@link SnowflakeAgentOptions.env} */
  secrets?: SecretSourceOptions;
  /**
   * Environment the `FLYTE_SNOWFLAKE_*` variables are read from, once, in the constructor (and,
   * unless `secrets.env` is set, secrets, at each call). @default process.env
   */
  env?: NodeJS.ProcessEnv;
  /** Timeout of one HTTP request (connect to last byte), in ms. @default 10000 */
  requestTimeoutMs?: number;
  /**
   * Retries of 429, 5xx and network errors inside one call (core's {@link RetryOptions}; a
   * nonsense value is a RangeError when the agent is constructed).
   * @default { maxAttempts: 4, baseDelayMs: 200, maxDelayMs: 2000, maxRetryAfterMs: 5000 }
   */
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
