import { AgentError, getSecret, type SecretSourceOptions } from "@flyte-agent/core";
import { GrpcCode } from "./status-codes";

/**
 * Reads a Flyte secret at the moment it is needed (never cached, so rotated secrets apply);
 * core's getSecret registers the value so logs and errors are scrubbed of it. A missing
 * required secret is FAILED_PRECONDITION naming where it was looked for, never a value.
 * Replaceable by core's secret lookup once it says where it looked.
 */
export function readSecret(name: string, source: SecretSourceOptions, required: true): string;
export function readSecret(name: string, source: SecretSourceOptions, required: false): string | undefined;
export function readSecret(name: string, source: SecretSourceOptions, required: boolean): string | undefined {
  const value = getSecret(name, source);
  if (value !== undefined && value.trim() !== "") return value;
  if (!required) return undefined;
  const env = source.env ?? process.env;
  const prefix = source.envPrefix ?? env.FLYTE_SECRETS_ENV_PREFIX ?? "_FSEC_";
  const dir = source.dir ?? env.FLYTE_SECRETS_DEFAULT_DIR ?? "/etc/secrets";
  throw new AgentError(
    GrpcCode.FAILED_PRECONDITION,
    `secret ${name} not found on the agent: set ${prefix}${name.toUpperCase()} or mount ${dir}/${name.toLowerCase()}`,
  );
}
