import { createHash } from "node:crypto";
import {
  AgentError,
  type Connection,
  getSecret,
  registerSecretValue,
  type SecretSourceOptions,
  StatusCode,
} from "@flyte-agent/core";

/** The key of the service-account JSON in a Flyte 2 connection (the one flyte-sdk's BigQuery connector reads). */
export const CONNECTION_CREDENTIALS_KEY = "google_application_credentials";

/** The Flyte secret read by default for a service-account key. */
export const DEFAULT_CREDENTIALS_SECRET = "FLYTE_BIGQUERY_SERVICE_ACCOUNT_JSON";

/** How the agent authenticates to BigQuery, decided per call (a rotated secret is picked up). */
export type CredentialChoice =
  /** A caller-supplied access token per request. */
  | { kind: "token"; token: () => string | Promise<string> }
  /** A service-account key from a Flyte secret. `fingerprint` identifies the key without revealing it. */
  | { kind: "service-account"; secret: string; clientEmail: string; privateKey: string; fingerprint: string }
  /** No credentials: an emulator named by `BIGQUERY_EMULATOR_HOST` (which Google's client prefers to any endpoint). */
  | { kind: "none" }
  /** Application Default Credentials (workload identity, GOOGLE_APPLICATION_CREDENTIALS, gcloud). */
  | { kind: "adc" };

/** Inputs of {@link chooseCredentials}. */
export interface CredentialSettings {
  accessToken?: () => string | Promise<string>;
  credentialsSecret?: string;
  secretSource?: SecretSourceOptions;
  env: NodeJS.ProcessEnv;
  /** The call's connection (Flyte 2): its `google_application_credentials` comes before the pod secret. */
  connection?: Connection;
}

/**
 * Picks the credentials: an access-token function, else the service-account key of the call's
 * connection (`google_application_credentials`), else the service-account secret when it
 * exists, else none for an emulator (`BIGQUERY_EMULATOR_HOST`: Google's client then sends
 * every request there, whatever endpoint is configured), else Application Default Credentials. A secret that is not a service-account key is
 * FAILED_PRECONDITION, without its content.
 */
export function chooseCredentials(settings: CredentialSettings): CredentialChoice {
  if (settings.accessToken) return { kind: "token", token: settings.accessToken };
  const fromConnection = settings.connection?.secrets[CONNECTION_CREDENTIALS_KEY];
  if (fromConnection !== undefined && fromConnection.trim() !== "") {
    // Redacted by the call that carried it (core), not registered for every call.
    return parseServiceAccount(CONNECTION_CREDENTIALS_KEY, fromConnection, false);
  }
  const secret = settings.credentialsSecret ?? settings.env.FLYTE_BIGQUERY_CREDENTIALS_SECRET ?? DEFAULT_CREDENTIALS_SECRET;
  const json = getSecret(secret, { env: settings.env, ...settings.secretSource });
  if (json !== undefined && json.trim() !== "") return parseServiceAccount(secret, json, true);
  if (settings.env.BIGQUERY_EMULATOR_HOST) return { kind: "none" };
  return { kind: "adc" };
}

function parseServiceAccount(secret: string, json: string, podSecret: boolean): CredentialChoice {
  const what = podSecret ? `secret ${secret}` : `connection secret ${secret}`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new AgentError(StatusCode.FAILED_PRECONDITION, `${what} is not JSON; it must hold a service-account key`);
  }
  const key = (typeof parsed === "object" && parsed !== null ? parsed : {}) as Record<string, unknown>;
  if (typeof key.client_email !== "string" || typeof key.private_key !== "string") {
    throw new AgentError(
      StatusCode.FAILED_PRECONDITION,
      `${what} is not a service-account key (it needs client_email and private_key)`,
    );
  }
  if (podSecret) registerSecretValue(key.private_key);
  const fingerprint = createHash("sha256").update(json).digest("hex").slice(0, 16);
  return { kind: "service-account", secret, clientEmail: key.client_email, privateKey: key.private_key, fingerprint };
}

/** A short stable key for a choice (for caching clients); never contains secret material. */
export function credentialKey(choice: CredentialChoice): string {
  switch (choice.kind) {
    case "service-account":
      return `sa:${choice.fingerprint}`;
    default:
      return choice.kind;
  }
}
