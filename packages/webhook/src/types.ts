import type { SecretSourceOptions } from "@flyte-agent/core";

/** Resolves a host name to its addresses, like `dns.lookup(name, { all: true })`. */
export type HostResolver = (hostName: string) => Promise<ReadonlyArray<{ address: string; family: number }>>;

/** Options of {@link WebhookAgent}. Every option with an environment default reads it once, in the constructor. */
export interface WebhookAgentOptions {
  /**
   * Hosts the agent may call, each `host`, `host:port`, an IP address, or `[IPv6]:port`. When the
   * list is not empty, only these destinations are called; loopback addresses are called only
   * when listed; link-local and cloud metadata addresses never are.
   * @default process.env.FLYTE_WEBHOOK_ALLOWED_HOSTS split on commas, else none (any public or private address)
   */
  allowedHosts?: readonly string[];
  /**
   * Secrets a header value may name as `{secrets.NAME}` (besides those the task's own Flyte 2
   * connection carries).
   * @default process.env.FLYTE_WEBHOOK_SECRETS split on commas, else none
   */
  secretNames?: readonly string[];
  /** Largest response body read, in bytes; a larger one fails the task. @default process.env.FLYTE_WEBHOOK_MAX_RESPONSE_BYTES, else 1048576 (1 MiB) */
  maxResponseBytes?: number;
  /** Longest `timeout_sec` honoured, in seconds (the call's deadline also bounds it). @default process.env.FLYTE_WEBHOOK_MAX_TIMEOUT_SEC, else 60 */
  maxTimeoutSec?: number;
  /** Time kept free before the call's deadline to answer, in ms. @default 250 */
  deadlineMarginMs?: number;
  /** Resolves host names (tests, a custom resolver). @default the system resolver (`dns.lookup`) */
  resolver?: HostResolver;
  /** Where pod secrets are read from. @default Flyte's conventions (`_FSEC_<NAME>`, then `/etc/secrets/<name>`) in {@link WebhookAgentOptions.env} */
  secrets?: SecretSourceOptions;
  /** Environment the `FLYTE_WEBHOOK_*` variables (and, unless `secrets.env` is set, secrets) are read from. @default process.env */
  env?: NodeJS.ProcessEnv;
}

/**
 * The fields of `template.custom` the agent reads: what flytekit's `WebhookTask` writes. Any
 * string may contain `{inputs.NAME}` placeholders; a header value may also name a secret as
 * `{secrets.NAME}`.
 */
export interface WebhookTaskCustom {
  /** The URL called (`http` or `https`). */
  url: string;
  /** `GET` (data as query parameters) or `POST` (data as a JSON body). */
  method: "GET" | "POST";
  /** Request headers. @default {} */
  headers?: { [name: string]: string };
  /** Query parameters (GET) or the JSON body (POST). @default {} */
  data?: { [key: string]: unknown };
  /** Put the rendered `data` into the output as `input_data`. @default false */
  show_data?: boolean;
  /** Put the rendered `url` into the output as `url`. @default false */
  show_url?: boolean;
  /** Timeout of the request in seconds. @default 10 */
  timeout_sec?: number;
}
