import type { RetryOptions, SecretSourceOptions } from "@flyte-agent/core";

/** Options of {@link DatabricksAgent}. */
export interface DatabricksAgentOptions {
  /** The task type (category name, version 0) this agent serves. @default "databricks" */
  taskType?: string;
  /**
   * The workspace used when the task template does not name one (`databricksInstance`): a host
   * name (`dbc-123.cloud.databricks.com`) or a full URL (`https://host`, `http://127.0.0.1:8080`).
   * @default process.env.FLYTE_DATABRICKS_INSTANCE (read at each call)
   */
  instance?: string;
  /** Name of the Flyte secret holding the access token. @default "FLYTE_DATABRICKS_ACCESS_TOKEN" */
  tokenSecret?: string;
  /** Where secrets are read from. @default Flyte's conventions (`_FSEC_<NAME>`, then `/etc/secrets/<name>`) in {@link DatabricksAgentOptions.env} */
  secrets?: SecretSourceOptions;
  /** Environment the `FLYTE_DATABRICKS_*` variables (and, unless `secrets.env` is set, secrets) are read from. @default process.env */
  env?: NodeJS.ProcessEnv;
  /**
   * Workspace hosts the agent may send a token to (exact names, or `*.suffix` patterns). A task
   * naming another host is refused with INVALID_ARGUMENT. Empty list = any host.
   * @default process.env.FLYTE_DATABRICKS_ALLOWED_HOSTS split on commas, else any host
   */
  allowedHosts?: readonly string[];
  /** Timeout of one HTTP request (connect to last byte). @default 10000 */
  requestTimeoutMs?: number;
  /**
   * Retries of 429, 5xx and network errors inside one call (core's option names).
   * @default { maxAttempts: 4, baseDelayMs: 200, maxDelayMs: 2000, maxRetryAfterMs: 5000 }; a
   * Retry-After longer than `maxRetryAfterMs` ends the call at once: `get` reports a
   * non-terminal phase, `create` fails with UNAVAILABLE.
   */
  retry?: RetryOptions;
  /** Most open connections per workspace host (kept alive and reused). @default 128 */
  maxSockets?: number;
}

/**
 * What the agent keeps in resource_meta: where the run is and which secret to read the token
 * from. Never the token itself.
 */
export interface DatabricksRunMeta {
  /** Base URL of the workspace, e.g. `https://dbc-123.cloud.databricks.com`. */
  instance: string;
  /** Databricks run id, as a decimal string (int64 safe). */
  runId: string;
  /** Secret name of the token when the task chose one (`databricksTokenSecret`). */
  tokenSecret?: string;
}

/**
 * The fields of `template.custom` the agent reads (what flytekit's Databricks task config
 * writes). Everything else in `databricksConf` is passed to `runs/submit` unchanged.
 */
export interface DatabricksTaskCustom {
  /** The Jobs API `runs/submit` body: compute (`existing_cluster_id`, `new_cluster`, or serverless `environments`/`environment_key`), `run_name`, `timeout_seconds`, `git_source`, `python_file`... */
  databricksConf: { [key: string]: unknown };
  /** Workspace host or URL; overrides the agent's default. */
  databricksInstance?: string;
  /** Spark configuration for a new cluster (the cluster's own `spark_conf` wins). */
  sparkConf?: { [key: string]: string };
  /** Name of the secret holding the token for this task. */
  databricksTokenSecret?: string;
  /** Run a notebook instead of the Python entrypoint. */
  notebookPath?: string;
  /** Notebook parameters. */
  notebookBaseParameters?: { [key: string]: string };
  /** Serverless only: passed to the entrypoint as `--flyte-credential-provider=<value>`. */
  databricksServiceCredentialProvider?: string;
}
