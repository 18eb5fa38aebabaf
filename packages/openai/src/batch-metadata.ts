import { TaskInputError } from "@flyte-agent/core";
import { describe, isObject } from "./custom";

/** The metadata key that tags a batch with the task attempt that created it. */
export const ATTEMPT_METADATA_KEY = "flyte_attempt";
/** OpenAI's limits on a batch's `metadata`. */
export const MAX_METADATA_KEYS = 16;
export const MAX_METADATA_KEY_CHARS = 64;
export const MAX_METADATA_VALUE_CHARS = 512;

/**
 * The batch's `metadata`: the task's own `config.metadata`, checked against OpenAI's limits
 * (16 keys, keys up to 64 characters, string values up to 512), with `flyte_attempt` set to the
 * attempt's key. A task whose metadata leaves no room for `flyte_attempt` is refused, naming the
 * limit, since without it a retried CreateTask could start a second batch.
 */
export function batchMetadata(user: unknown, attemptKey: string): Record<string, string> {
  if (user !== undefined && user !== null && !isObject(user)) {
    throw new TaskInputError(`custom.config.metadata must be an object of strings, got ${describe(user)}`);
  }
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(user ?? {})) {
    if (key === ATTEMPT_METADATA_KEY) continue; // the agent's own tag wins
    if (typeof value !== "string")
      throw new TaskInputError(`custom.config.metadata.${key} must be a string, got ${describe(value)}`);
    if (key.length > MAX_METADATA_KEY_CHARS) {
      throw new TaskInputError(
        `custom.config.metadata has a key of ${key.length} characters; OpenAI allows ${MAX_METADATA_KEY_CHARS}`,
      );
    }
    if (value.length > MAX_METADATA_VALUE_CHARS) {
      throw new TaskInputError(
        `custom.config.metadata.${key} is ${value.length} characters; OpenAI allows ${MAX_METADATA_VALUE_CHARS}`,
      );
    }
    out[key] = value;
  }
  if (Object.keys(out).length >= MAX_METADATA_KEYS) {
    throw new TaskInputError(
      `custom.config.metadata has ${Object.keys(out).length} keys; OpenAI allows ${MAX_METADATA_KEYS} and the agent adds "${ATTEMPT_METADATA_KEY}" to find the batch again when CreateTask is retried`,
    );
  }
  out[ATTEMPT_METADATA_KEY] = attemptKey;
  return out;
}
