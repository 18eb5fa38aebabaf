import { readFileSync } from "node:fs";
import { join } from "node:path";
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

/** Secret values read so far; log lines and error messages are scrubbed of them. */
const knownSecretValues = new Set<string>();

/**
 * Reads a secret the way Flyte mounts them: the environment variable `<prefix><KEY>` (upper
 * case), else the file `<dir>/<key>` (lower case; trailing newline trimmed). Returns
 * `undefined` when neither exists. The value is remembered so that {@link redactSecrets} can
 * remove it from anything the server sends or logs.
 */
export function getSecret(key: string, options: SecretSourceOptions = {}): string | undefined {
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
  if (value !== undefined && value.length >= 4) knownSecretValues.add(value);
  return value;
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
  ) {
    super(
      StatusCode.FAILED_PRECONDITION,
      `no ${what ?? `secret ${key}`}: set ${locations.envVar} or mount ${locations.file} on the agent`,
    );
  }
}

/** Options of {@link requireSecret}: where to look, and what the secret is called in the error. */
export interface RequireSecretOptions extends SecretSourceOptions {
  /** What the secret is, for the error message (e.g. "Databricks access token"). @default `secret <key>` */
  what?: string;
}

/**
 * Like {@link getSecret}, but a missing or blank secret throws {@link SecretNotFoundError}
 * naming the variable and file it looked at. Returns the value trimmed of surrounding blanks.
 */
export function requireSecret(key: string, options: RequireSecretOptions = {}): string {
  const value = getSecret(key, options)?.trim();
  if (!value) throw new SecretNotFoundError(key, secretLocations(key, options), options.what);
  return value;
}

/** Marks an extra value (a token obtained at run time) as secret for {@link redactSecrets}. */
export function registerSecretValue(value: string): void {
  if (value.length >= 4) knownSecretValues.add(value);
}

/** Replaces every known secret value in `text` with `[REDACTED]`. */
export function redactSecrets(text: string): string {
  if (knownSecretValues.size === 0) return text;
  let out = text;
  for (const secret of knownSecretValues) {
    if (out.includes(secret)) out = out.split(secret).join("[REDACTED]");
  }
  return out;
}
