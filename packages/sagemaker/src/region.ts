import { TaskInputError } from "@flyte-agent/core";

/** What an AWS region name looks like (`us-east-1`, `cn-north-1`, `us-gov-west-1`). */
const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/** Checks a region name; it becomes part of a host name, so anything else is refused. */
export function checkRegion(region: string, from: string): string {
  if (!REGION_PATTERN.test(region)) {
    throw new TaskInputError(`${from} "${region.slice(0, 64)}" is not an AWS region name (like us-east-1)`);
  }
  return region;
}

/**
 * The region of a task, resolved as flytekit resolves it: a (non-empty) input named `region`,
 * then `custom.region`, then the agent's configured region. None is INVALID_ARGUMENT.
 */
export function resolveRegion(inputRegion: unknown, customRegion: unknown, configured: string | undefined): string {
  if (inputRegion !== undefined && inputRegion !== null && inputRegion !== "") {
    if (typeof inputRegion !== "string") throw new TaskInputError("the input `region` must be a string");
    return checkRegion(inputRegion, "the input `region`");
  }
  if (customRegion !== undefined && customRegion !== null && customRegion !== "") {
    if (typeof customRegion !== "string") throw new TaskInputError("custom.region must be a string");
    return checkRegion(customRegion, "custom.region");
  }
  if (configured) return checkRegion(configured, "the agent's configured region");
  throw new TaskInputError(
    "Region parameter is required: give the task an input named `region` or custom.region, or configure the agent's region (AWS_REGION)",
  );
}
