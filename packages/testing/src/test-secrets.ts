import { randomUUID } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SecretSourceOptions } from "@flyte-agent/core";

/** The environment-variable prefix of the secrets made by {@link testSecretSource}. */
export const TEST_SECRET_ENV_PREFIX = "_FSEC_";

/**
 * A secret source holding exactly `secrets` (key → value), for an agent's secret options or
 * core's `getSecret(key, source)`: each value sits in its own environment map as Flyte would
 * inject it (`_FSEC_<KEY>`), and the mounted-file directory does not exist. Nothing from the
 * real environment or `/etc/secrets` leaks in, and a missing key is missing.
 *
 * @example
 *   const source = testSecretSource({ api_token: "t0ken" });
 *   requireSecret("api_token", source); // "t0ken"
 */
export function testSecretSource(secrets: Readonly<Record<string, string>> = {}): SecretSourceOptions {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(secrets)) env[`${TEST_SECRET_ENV_PREFIX}${key.toUpperCase()}`] = value;
  return {
    env,
    envPrefix: TEST_SECRET_ENV_PREFIX,
    dir: join(tmpdir(), `flyte-agent-test-no-mounted-secrets-${randomUUID()}`),
  };
}
