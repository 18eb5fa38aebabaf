import { type flyteidl, TaskInputError } from "@flyte-agent/core";
import type { CustomTaskConfig } from "./types";

/** The longest job the example accepts. */
const MAX_DURATION_SECONDS = 24 * 60 * 60;

/** {@link CustomTaskConfig} with defaults applied. */
export interface ResolvedTaskConfig {
  durationMs: number;
  fail: boolean;
}

/**
 * Reads and checks `template.custom`. Wrong values are the task author's mistake: they become
 * INVALID_ARGUMENT with a message naming the field.
 */
export function readTaskConfig(template: flyteidl.core.TaskTemplate): ResolvedTaskConfig {
  const custom: CustomTaskConfig & Record<string, unknown> = template.custom ?? {};
  const { durationSeconds = 1, fail = false } = custom;
  if (typeof durationSeconds !== "number" || !Number.isFinite(durationSeconds) || durationSeconds < 0) {
    throw new TaskInputError(`custom.durationSeconds must be a number >= 0, got ${JSON.stringify(durationSeconds)}`);
  }
  if (durationSeconds > MAX_DURATION_SECONDS) {
    throw new TaskInputError(`custom.durationSeconds must be at most ${MAX_DURATION_SECONDS}, got ${durationSeconds}`);
  }
  if (typeof fail !== "boolean") {
    throw new TaskInputError(`custom.fail must be true or false, got ${JSON.stringify(fail)}`);
  }
  return { durationMs: Math.round(durationSeconds * 1000), fail };
}
