import { type SecretSourceOptions, TaskInputError, requireSecret } from "@flyte-agent/core";

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
 * core registers the value, so logs and error messages are scrubbed of it. A missing token is
 * FAILED_PRECONDITION naming the variable and file looked at, never a value.
 */
export function readAccessToken(name: string, source: SecretSourceOptions | undefined): string {
  return requireSecret(name, { ...source, what: "Databricks access token" });
}
