import { type AwsMiddlewareClient, observeAwsSdkClient } from "@flyte-agent/core";
import type { BotoService } from "./boto-methods";
import type { AwsCredentials } from "./types";

/** How the SDK clients are built (resolved once, by the agent's constructor). */
export interface AwsClientSettings {
  endpoint?: string;
  runtimeEndpoint?: string;
  credentials?: () => Promise<AwsCredentials>;
  maxAttempts: number;
  requestTimeoutMs: number;
}

/** The service name of this plugin's external API metrics (`flyte_agent_external_*{service="SageMaker"}`). */
export const METRICS_SERVICE = "SageMaker";

/** The part of an SDK v3 client this plugin uses. */
interface SdkClient extends AwsMiddlewareClient {
  send(command: unknown, options: { abortSignal: AbortSignal }): Promise<unknown>;
  destroy(): void;
  config: { credentials?: () => Promise<{ accessKeyId?: string; secretAccessKey?: string; sessionToken?: string }> };
}
type SdkModule = Record<string, unknown>;
type ClientClass = new (config: Record<string, unknown>) => SdkClient;
type CommandClass = new (input: unknown) => unknown;

/** Most clients kept (one per service and region); the oldest is closed beyond it. */
const MAX_CLIENTS = 32;

/**
 * The AWS SDK v3 clients of the agents: one per service and region, created on first use, with
 * the SDK modules loaded on first use too (`import()`), so that a server that never runs a
 * SageMaker task never loads the SDK.
 */
export class AwsClients {
  private readonly clients = new Map<string, SdkClient>();
  private readonly modules = new Map<BotoService, Promise<SdkModule>>();

  constructor(private readonly settings: AwsClientSettings) {}

  private module(service: BotoService): Promise<SdkModule> {
    let loading = this.modules.get(service);
    if (!loading) {
      loading =
        service === "sagemaker"
          ? (import("@aws-sdk/client-sagemaker") as Promise<unknown> as Promise<SdkModule>)
          : (import("@aws-sdk/client-sagemaker-runtime") as Promise<unknown> as Promise<SdkModule>);
      loading.catch(() => this.modules.delete(service));
      this.modules.set(service, loading);
    }
    return loading;
  }

  private async client(service: BotoService, region: string): Promise<SdkClient> {
    const key = `${service}|${region}`;
    const existing = this.clients.get(key);
    if (existing) return existing;
    const sdk = await this.module(service);
    const again = this.clients.get(key);
    if (again) return again;
    const Client = sdk[service === "sagemaker" ? "SageMakerClient" : "SageMakerRuntimeClient"] as ClientClass;
    const endpoint = service === "sagemaker" ? this.settings.endpoint : this.settings.runtimeEndpoint;
    const client = new Client({
      region,
      maxAttempts: this.settings.maxAttempts,
      requestHandler: { requestTimeout: this.settings.requestTimeoutMs, connectionTimeout: this.settings.requestTimeoutMs },
      ...(endpoint ? { endpoint } : {}),
      ...(this.settings.credentials ? { credentials: this.settings.credentials } : {}),
    });
    // Every HTTP attempt, retry and request given up counts in core's external API metrics.
    observeAwsSdkClient(client, METRICS_SERVICE);
    if (this.clients.size >= MAX_CLIENTS) {
      const [oldestKey, oldest] = this.clients.entries().next().value as [string, SdkClient];
      this.clients.delete(oldestKey);
      oldest.destroy();
    }
    this.clients.set(key, client);
    return client;
  }

  /** Sends `<command>` with `input` to the service in `region`; the SDK retries until `signal` aborts. */
  async send(service: BotoService, region: string, command: string, input: unknown, signal: AbortSignal): Promise<unknown> {
    const sdk = await this.module(service);
    const Command = sdk[command] as CommandClass | undefined;
    if (typeof Command !== "function") throw new Error(`the AWS SDK has no ${command}`);
    const client = await this.client(service, region);
    return client.send(new Command(input), { abortSignal: signal });
  }

  /** The current credentials' values (to keep them out of messages); none when they cannot be read. */
  async credentialValues(service: BotoService, region: string): Promise<string[]> {
    try {
      const client = this.clients.get(`${service}|${region}`);
      const identity = await client?.config.credentials?.();
      return [identity?.accessKeyId, identity?.secretAccessKey, identity?.sessionToken].filter(
        (v): v is string => typeof v === "string" && v.length > 0,
      );
    } catch {
      return [];
    }
  }

  /** Closes every client's connections. */
  close(): void {
    for (const client of this.clients.values()) client.destroy();
    this.clients.clear();
  }
}
