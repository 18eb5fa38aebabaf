import { isAgentError } from "@flyte-agent/core";
import { pythonText } from "./literals";
import { WebhookTaskError } from "./task-error";

/** Renders `{inputs.NAME}` placeholders in a value (core's `renderPlaceholders`, bound to one call's inputs). */
export type Render = (value: unknown) => unknown;

/** Renders a value; a placeholder the inputs cannot fill fails the task, naming it. */
export function renderValue(value: unknown, render: Render): unknown {
  try {
    return render(value);
  } catch (err) {
    if (isAgentError(err)) throw new WebhookTaskError(err.message);
    throw err;
  }
}

/**
 * Renders a piece of text and returns text: a placeholder that is the whole piece gives its
 * value's Python `str()`, as httpx would send a non-string header value.
 */
export function renderText(text: string, render: Render): string {
  const rendered = renderValue(text, render);
  return typeof rendered === "string" ? rendered : pythonText(rendered);
}

/** Runs a conversion of the task's values; an INVALID_ARGUMENT from core fails the task with its message. */
export function taskValue<T>(convert: () => T): T {
  try {
    return convert();
  } catch (err) {
    if (isAgentError(err)) throw new WebhookTaskError(err.message);
    throw err;
  }
}
