import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Connection } from "./connection";
import { AgentError } from "./errors";
import { StatusCode } from "./status-code";

/** Where secrets are read from. Defaults follow Flyte's conventions. */
export interface SecretSourceOptions {
  /** Prefix of secret environment variables. @default env.FLYTE_SECRETS_ENV_PREFIX ?? "_FSEC_" */
  envPrefix?: string;
  /** Directory of mounted secret files. @default env.FLYTE_SECRETS_DEFAULT_DIR ?? "/etc/secrets" */
  dir?: string;
  /** Environment to read (tests, or an agent given its own). @default process.env */
  env?: NodeJS.ProcessEnv;
}

/** Flyte's default prefix of secret environment variables. */
export const DEFAULT_SECRET_ENV_PREFIX = "_FSEC_";
/** Flyte's default directory of mounted secret files. */
export const DEFAULT_SECRET_DIR = "/etc/secrets";

/** {@link SecretSourceOptions} with the defaults applied: the one place they are decided. */
export interface SecretSource {
  readonly envPrefix: string;
  readonly dir: string;
  readonly env: NodeJS.ProcessEnv;
}

/** Applies the defaults of {@link SecretSourceOptions} (Flyte's variables, then Flyte's defaults). */
export function secretSource(options: SecretSourceOptions = {}): SecretSource {
  const env = options.env ?? process.env;
  return {
    env,
    envPrefix: options.envPrefix ?? env.FLYTE_SECRETS_ENV_PREFIX ?? DEFAULT_SECRET_ENV_PREFIX,
    dir: options.dir ?? env.FLYTE_SECRETS_DEFAULT_DIR ?? DEFAULT_SECRET_DIR,
  };
}

/** Where a secret is looked for, first to last (for messages; never holds a value). */
export interface SecretLocations {
  /** The environment variable, `<prefix><KEY>`. */
  readonly envVar: string;
  /** The mounted file, `<dir>/<key>`. */
  readonly file: string;
}

/** The environment variable and file a secret is read from. */
export function secretLocations(key: string, options: SecretSourceOptions = {}): SecretLocations {
  const source = secretSource(options);
  return { envVar: `${source.envPrefix}${key.toUpperCase()}`, file: join(source.dir, key.toLowerCase()) };
}

/**
 * Where one call's secret is looked for: the call's connection first (Flyte 2 sends the one it
 * resolved for the task), then the pod's own secrets ({@link SecretSourceOptions}).
 */
export interface SecretLookupOptions extends SecretSourceOptions {
  /** The call's connection, `ctx.connection`; its `secrets` are looked at first. */
  connection?: Connection;
  /** The key of the secret in the connection, when it differs from the pod secret's. @default the key */
  connectionKey?: string;
}

/**
 * Secret values read or registered so far, each with the time (epoch ms) after which it is no
 * longer a secret worth scrubbing (`Infinity` for pod secrets); log lines and error messages are
 * scrubbed of them. Expired values are dropped whenever a value is registered, so tokens renewed
 * for the life of the process keep the set at the size of the tokens still valid.
 */
const knownSecretValues = new Map<string, number>();

/**
 * Reads a secret: from the call's connection when `options.connection` has it (key
 * `options.connectionKey`, else `key`); otherwise the way Flyte mounts pod secrets, the
 * environment variable `<prefix><KEY>` (upper case), else the file `<dir>/<key>` (lower case;
 * trailing newline trimmed). Returns `undefined` when none exists. A pod secret's value is
 * remembered so that {@link redactSecrets} can remove it from anything the server sends or
 * logs; a connection's secrets are redacted by the call that carried them, and only there.
 */
export function getSecret(key: string, options: SecretLookupOptions = {}): string | undefined {
  const fromConnection = connectionSecret(key, options);
  if (fromConnection !== undefined) return fromConnection;
  const { env, envPrefix, dir } = secretSource(options);
  let value = env[`${envPrefix}${key.toUpperCase()}`] ?? env[`${envPrefix}${key}`];
  if (value === undefined) {
    for (const name of new Set([key.toLowerCase(), key])) {
      try {
        value = readFileSync(join(dir, name), "utf8").replace(/\r?\n$/, "");
        break;
      } catch {
        // not mounted under this name
      }
    }
  }
  if (value !== undefined && value.length >= 4) knownSecretValues.set(value, Number.POSITIVE_INFINITY);
  return value;
}

function connectionSecret(key: string, options: SecretLookupOptions): string | undefined {
  const secrets = options.connection?.secrets;
  const name = options.connectionKey ?? key;
  if (!secrets || !Object.hasOwn(secrets, name)) return undefined;
  const value = secrets[name];
  return value === undefined || value.trim() === "" ? undefined : value;
}

/**
 * A required secret is missing (or blank): FAILED_PRECONDITION, since the agent's deployment
 * must change, not the task. The message says where the secret was looked for, never a value.
 */
export class SecretNotFoundError extends AgentError {
  constructor(
    /** The secret's key. */
    readonly key: string,
    /** Where it was looked for. */
    readonly locations: SecretLocations,
    /** What the secret is, for the message (e.g. "Databricks access token"). @default `secret <key>` */
    what?: string,
    /** The key looked for in the call's connection, when the call carried one. */
    connectionKey?: string,
  ) {
    super(
      StatusCode.FAILED_PRECONDITION,
      connectionKey === undefined
        ? `no ${what ?? `secret ${key}`}: set ${locations.envVar} or mount ${locations.file} on the agent`
        : `no ${what ?? `secret ${key}`}: the connection has no secret "${connectionKey}", and neither ${locations.envVar} nor ${locations.file} is set on the agent`,
    );
  }
}

/** Options of {@link requireSecret}: where to look, and what the secret is called in the error. */
export interface RequireSecretOptions extends SecretLookupOptions {
  /** What the secret is, for the error message (e.g. "Databricks access token"). @default `secret <key>` */
  what?: string;
}

/**
 * Like {@link getSecret}, but a missing or blank secret throws {@link SecretNotFoundError}
 * naming the variable and file it looked at. Returns the value trimmed of surrounding blanks.
 */
export function requireSecret(key: string, options: RequireSecretOptions = {}): string {
  const value = getSecret(key, options)?.trim();
  if (!value) {
    const connectionKey = options.connection ? (options.connectionKey ?? key) : undefined;
    throw new SecretNotFoundError(key, secretLocations(key, options), options.what, connectionKey);
  }
  return value;
}

/** When a value registered with {@link registerSecretValue} stops being redacted. */
export interface SecretValueLifetime {
  /**
   * Epoch milliseconds after which the value is dropped from the redaction set (a token's
   * expiry: an expired token opens nothing). @default never
   */
  expiresAt?: number;
  /** The current time, epoch ms, for dropping expired values. @default Date.now() */
  now?: number;
}

/**
 * Marks an extra value (a token obtained at run time) as secret for {@link redactSecrets}.
 * A token with an expiry should pass `expiresAt`: the value leaves the redaction set once it has
 * expired, so a process that renews tokens for months keeps a set the size of its valid tokens.
 * Every registration drops the values that have expired by `now`.
 */
export function registerSecretValue(value: string, lifetime: SecretValueLifetime = {}): void {
  const now = lifetime.now ?? Date.now();
  for (const [known, expiresAt] of knownSecretValues) if (expiresAt <= now) knownSecretValues.delete(known);
  if (value.length >= 4) {
    const expiresAt = lifetime.expiresAt ?? Number.POSITIVE_INFINITY;
    const before = knownSecretValues.get(value);
    if (expiresAt > now) knownSecretValues.set(value, before === undefined ? expiresAt : Math.max(before, expiresAt));
  }
}

/** How many values {@link redactSecrets} currently scrubs (pod secrets read, tokens not yet expired). */
export function redactedValueCount(): number {
  return knownSecretValues.size;
}

/** Replaces each of `values` (ignoring ones shorter than 4 characters) in `text` with `[REDACTED]`. */
export function redactValues(text: string, values: Iterable<string>): string {
  let out = text;
  for (const secret of values) {
    if (secret.length >= 4 && out.includes(secret)) out = out.split(secret).join("[REDACTED]");
  }
  return out;
}

/** Replaces every known secret value in `text` with `[REDACTED]`. */
export function redactSecrets(text: string): string {
  if (knownSecretValues.size === 0) return text;
  let out = text;
  for (const secret of knownSecretValues.keys()) {
    if (out.includes(secret)) out = out.split(secret).join("[REDACTED]");
  }
  return out;
}
