import { type Connection, type SecretSourceOptions, TaskInputError, requireSecret } from "@flyte-agent/core";

/** The key of the access token in a Flyte 2 connection (the one flyte-sdk's Databricks connector reads). */
export const CONNECTION_TOKEN_KEY = "databricks_token";

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
 * Reads the access token at the moment it is needed (never cached, so rotated secrets apply):
 * `databricks_token` of the call's connection (Flyte 2) first, else the pod secret `name`.
 * Logs and error messages are scrubbed of it. A missing token is FAILED_PRECONDITION naming the
 * connection key, variable and file looked at, never a value.
 */
export function readAccessToken(name: string, source: SecretSourceOptions | undefined, connection?: Connection): string {
  return requireSecret(name, { ...source, connection, connectionKey: CONNECTION_TOKEN_KEY, what: "Databricks access token" });
}
