import { readFileSync } from "node:fs";
import { InvalidArgumentError } from "commander";
import type { Connection } from "../connection";

/**
 * `flyte-agent run`'s connection flags: the connection a Flyte 2 executor would resolve for the
 * task (secret values and configs by key), sent with every v2 CreateTask, GetTask and DeleteTask.
 * Secret values are never given on the command line, where they would land in shell history and
 * the process list: a secret names where its value is, `env:NAME` or `file:PATH`.
 */

/** One `--connection-secret key=env:NAME` or `key=file:PATH`, resolved while parsing. */
export interface ConnectionSecretFlag {
  readonly key: string;
  /** The value read from the environment or the file (a file's trailing newline dropped). */
  readonly value: string;
}

const KEY = /^[A-Za-z0-9_.-]+$/;

function splitPair(flag: string, pair: string): [string, string] {
  const eq = pair.indexOf("=");
  const key = eq < 0 ? pair : pair.slice(0, eq);
  if (eq < 0 || !KEY.test(key)) {
    throw new InvalidArgumentError(`Expected ${flag}, the key made of letters, digits, "_", "." or "-".`);
  }
  return [key, pair.slice(eq + 1)];
}

/**
 * Resolves the `--connection-secret` values, in order. It runs after parsing, not as a commander
 * parser, because commander's error would repeat the argument, which may be the secret itself.
 * @throws InvalidArgumentError naming the key and what is wrong, never the value
 */
export function resolveConnectionSecrets(pairs: readonly string[]): ConnectionSecretFlag[] {
  const out: ConnectionSecretFlag[] = [];
  for (const pair of pairs) {
    try {
      out.push(...connectionSecretFlag(pair, out).slice(out.length));
    } catch (err) {
      throw new InvalidArgumentError(`--connection-secret: ${(err as Error).message}`);
    }
  }
  return out;
}

function connectionSecretFlag(pair: string, previous: ConnectionSecretFlag[]): ConnectionSecretFlag[] {
  const [key] = splitPair("key=env:NAME or key=file:PATH", pair);
  const source = pair.slice(key.length + 1);
  let value: string;
  if (source.startsWith("env:")) {
    const name = source.slice(4);
    const fromEnv = process.env[name];
    if (name === "" || fromEnv === undefined) throw new InvalidArgumentError(`Environment variable "${name}" is not set.`);
    value = fromEnv;
  } else if (source.startsWith("file:")) {
    const path = source.slice(5);
    try {
      value = readFileSync(path, "utf8").replace(/\r?\n$/, "");
    } catch (err) {
      throw new InvalidArgumentError(`Cannot read "${path}" (${(err as NodeJS.ErrnoException).code ?? "error"}).`);
    }
  } else {
    // Never echo what was given: it may be the secret itself.
    throw new InvalidArgumentError(`The value of "${key}" must be env:NAME or file:PATH, so that it stays out of shell history.`);
  }
  if (value === "") throw new InvalidArgumentError(`The value of secret "${key}" is empty.`);
  if (previous.some((s) => s.key === key)) throw new InvalidArgumentError(`Secret "${key}" is given twice.`);
  return [...previous, { key, value }];
}

/** Parses one `--connection-config key=value` (repeatable; configs are not secret). */
export function connectionConfigFlag(pair: string, previous: Record<string, string> = {}): Record<string, string> {
  const [key, value] = splitPair("key=value", pair);
  if (Object.hasOwn(previous, key)) throw new InvalidArgumentError(`Config "${key}" is given twice.`);
  return { ...previous, [key]: value };
}

/** The connection the flags describe, or undefined when none was given. */
export function connectionFromFlags(
  secrets: readonly ConnectionSecretFlag[],
  configs: Readonly<Record<string, string>>,
  taskType: string | undefined,
  templateType: string,
): Connection | undefined {
  if (secrets.length === 0 && Object.keys(configs).length === 0 && taskType === undefined) return undefined;
  return {
    taskType: taskType ?? templateType,
    secrets: Object.fromEntries(secrets.map((s) => [s.key, s.value])),
    configs: { ...configs },
  };
}
