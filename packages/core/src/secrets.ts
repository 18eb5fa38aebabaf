import { readFileSync } from "node:fs";
import { join } from "node:path";

/** Where secrets are read from. Defaults follow Flyte's conventions. */
export interface SecretSourceOptions {
  /** Prefix of secret environment variables. @default process.env.FLYTE_SECRETS_ENV_PREFIX ?? "_FSEC_" */
  envPrefix?: string;
  /** Directory of mounted secret files. @default process.env.FLYTE_SECRETS_DEFAULT_DIR ?? "/etc/secrets" */
  dir?: string;
  /** Environment to read (tests). @default process.env */
  env?: NodeJS.ProcessEnv;
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
  const env = options.env ?? process.env;
  const prefix = options.envPrefix ?? env.FLYTE_SECRETS_ENV_PREFIX ?? "_FSEC_";
  const dir = options.dir ?? env.FLYTE_SECRETS_DEFAULT_DIR ?? "/etc/secrets";
  const fromEnv = env[`${prefix}${key.toUpperCase()}`] ?? env[`${prefix}${key}`];
  let value = fromEnv;
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

/** Like {@link getSecret} but throws an error naming where it looked (never the value). */
export function requireSecret(key: string, options: SecretSourceOptions = {}): string {
  const value = getSecret(key, options);
  if (value === undefined || value === "") {
    const env = options.env ?? process.env;
    const prefix = options.envPrefix ?? env.FLYTE_SECRETS_ENV_PREFIX ?? "_FSEC_";
    const dir = options.dir ?? env.FLYTE_SECRETS_DEFAULT_DIR ?? "/etc/secrets";
    throw new Error(`secret ${key} not found: set ${prefix}${key.toUpperCase()} or mount ${join(dir, key.toLowerCase())}`);
  }
  return value;
}

/** Marks an extra value (a token obtained at run time) as secret for {@link redactSecrets}. */
export function registerSecretValue(value: string): void {
  if (value.length >= 4) knownSecretValues.add(value);
}

/** Replaces every known secret value in `text` with `[REDACTED]`. */
export function redactSecrets(text: string): string {
  let out = text;
  for (const secret of knownSecretValues) {
    if (out.includes(secret)) out = out.split(secret).join("[REDACTED]");
  }
  return out;
}
