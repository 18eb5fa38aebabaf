import { AgentError, TaskInputError, getSecret, type SecretSourceOptions } from "@flyte-agent/core";
import { GrpcCode } from "./grpc-codes";

/** The Flyte secret holding the Databricks access token by default. */
export const DEFAULT_TOKEN_SECRET = "FLYTE_DATABRICKS_ACCESS_TOKEN";

const SECRET_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/** Checks a secret name from a task template (it becomes a file name under the secrets dir). */
export function checkSecretName(name: string): string {
  if (!SECRET_NAME.test(name)) {
    throw new TaskInputError("custom.databricksTokenSecret must be a secret name (letters, digits, '_', '-', '.')");
  }
  return name;
}

/**
 * Reads the access token at the moment it is needed (never cached, so rotated secrets apply).
 * core's getSecret registers the value, so logs and error messages are scrubbed of it.
 * Throws FAILED_PRECONDITION naming where it looked, never a value.
 */
export function readAccessToken(name: string, source: SecretSourceOptions | undefined): string {
  const token = getSecret(name, source)?.trim();
  if (!token) {
    const env = source?.env ?? process.env;
    const prefix = source?.envPrefix ?? env.FLYTE_SECRETS_ENV_PREFIX ?? "_FSEC_";
    const dir = source?.dir ?? env.FLYTE_SECRETS_DEFAULT_DIR ?? "/etc/secrets";
    throw new AgentError(
      GrpcCode.FAILED_PRECONDITION,
      `no Databricks access token: set ${prefix}${name.toUpperCase()} or mount ${dir}/${name.toLowerCase()} on the agent`,
    );
  }
  return token;
}
