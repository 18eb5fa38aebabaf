import type { AwsClientSettings } from "./aws-clients";
import type { SageMakerAgentOptions } from "./types";

/** The agents' options with their defaults applied (read once, in the constructor). */
export interface ResolvedSettings {
  region?: string;
  maxResponseBodyBytes: number;
  clients: AwsClientSettings;
}

/**
 * The endpoint the SDK would take from the environment for a service: its own variable, then
 * `AWS_ENDPOINT_URL`, unless `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` is true.
 */
function configuredEndpoint(env: NodeJS.ProcessEnv, serviceVariable: string): string | undefined {
  if (env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS?.toLowerCase() === "true") return undefined;
  return env[serviceVariable] || env.AWS_ENDPOINT_URL || undefined;
}

/** Applies defaults and checks the options (a RangeError for nonsense values). */
export function resolveSettings(options: SageMakerAgentOptions): ResolvedSettings {
  const env = options.env ?? process.env;
  const maxAttempts = options.maxAttempts ?? 5;
  const requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 20)
    throw new RangeError(`maxAttempts must be an integer from 1 to 20, got ${maxAttempts}`);
  if (!(requestTimeoutMs > 0)) throw new RangeError(`requestTimeoutMs must be > 0, got ${requestTimeoutMs}`);
  const maxResponseBodyBytes = options.maxResponseBodyBytes ?? 1024 * 1024;
  if (!Number.isInteger(maxResponseBodyBytes) || maxResponseBodyBytes < 0)
    throw new RangeError(`maxResponseBodyBytes must be a whole number of bytes, got ${maxResponseBodyBytes}`);
  return {
    region: options.region ?? (env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined),
    maxResponseBodyBytes,
    clients: {
      endpoint: options.endpoint ?? configuredEndpoint(env, "AWS_ENDPOINT_URL_SAGEMAKER"),
      runtimeEndpoint: options.runtimeEndpoint ?? configuredEndpoint(env, "AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME"),
      credentials: options.credentials,
      maxAttempts,
      requestTimeoutMs,
    },
  };
}
