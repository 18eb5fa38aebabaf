import type { RetryOptions, SecretSourceOptions } from "@flyte-agent/core";

/**
 * Configuration of {@link BigQueryAgent}, read once when the agent is built. Every field is
 * optional: the plugin's default export uses `new BigQueryAgent()`, configured through the
 * environment variables named below (read from {@link BigQueryAgentOptions.env}).
 */
export interface BigQueryAgentOptions {
  /**
   * Base URL of the BigQuery API, for private endpoints and emulators (e.g.
   * `https://bigquery-myendpoint.p.googleapis.com`). Google's client sends requests to
   * `BIGQUERY_EMULATOR_HOST` whenever that is set, then to this endpoint, else to
   * `https://bigquery.googleapis.com`.
   * @default env.FLYTE_BIGQUERY_API_ENDPOINT
   */
  apiEndpoint?: string;
  /**
   * Name of the Flyte secret holding a service-account key (JSON). When the secret exists it is
   * used; otherwise Application Default Credentials are (none when `BIGQUERY_EMULATOR_HOST` is
   * set: emulators take no credentials).
   * @default env.FLYTE_BIGQUERY_CREDENTIALS_SECRET ?? "FLYTE_BIGQUERY_SERVICE_ACCOUNT_JSON"
   */
  credentialsSecret?: string;
  /** Where Flyte secrets are read from. @default Flyte's conventions (`_FSEC_<KEY>`, then `/etc/secrets/<key>`) */
  secretSource?: SecretSourceOptions;
  /**
   * Supplies an OAuth2 access token for every request, instead of Google credentials (a token
   * broker, a private endpoint with its own tokens, tests). Wins over the secret and ADC.
   */
  accessToken?: () => string | Promise<string>;
  /**
   * Bounded retry of transient API failures (HTTP 408, 429, 5xx, network errors), with core's
   * option names. @default { maxAttempts: 3, baseDelayMs: 250, maxDelayMs: 2000 }
   */
  retry?: RetryOptions;
  /** Timeout of one HTTP request to the API, in milliseconds. @default 20000 */
  requestTimeoutMs?: number;
  /**
   * Environment the `FLYTE_BIGQUERY_*` variables, `BIGQUERY_EMULATOR_HOST` and (unless
   * `secretSource.env` is set) secrets are read from. @default process.env
   */
  env?: NodeJS.ProcessEnv;
  /** Base of the "BigQuery Console" log link. @default "https://console.cloud.google.com/bigquery" */
  consoleUrl?: string;
}

/**
 * The resource metadata of a BigQuery task: what GetTask and DeleteTask need to find the job.
 * Stored by propeller (in etcd): small, and never holding credentials.
 */
export interface BigQueryJobMeta {
  /** The job id (derived from the task execution id and attempt). */
  jobId: string;
  /** The project the job runs in. */
  project: string;
  /** The job's location (region), as BigQuery reported it. */
  location: string;
  /** The Flyte domain from the template (reported in the user agent of every call). */
  domain?: string;
  /** The output that receives the destination table, when the task declares outputs (normally `results`). */
  output?: string;
  /** Set for dry runs: the bytes the query would process (BigQuery does not keep dry-run jobs). */
  dryRunBytes?: string;
}
