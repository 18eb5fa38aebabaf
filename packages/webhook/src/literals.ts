import {
  type flyteidl,
  integralFloatsToIntegers,
  type PlainValue,
  type PythonValue,
  pythonStr,
  renderPlaceholders,
  toOutputLiteralMap,
} from "@flyte-agent/core";
import type { Render } from "./render";

/**
 * Core's placeholder renderer bound to one call's inputs, read as flytekit's connector reads
 * them (a dataclass input as its JSON text, an int as an int, and so on).
 */
export function webhookRender(inputs: flyteidl.core.LiteralMap): Render {
  return (value) => renderPlaceholders(value as PythonValue, { inputs });
}

/** Python's `str()` of a rendered value, for text spliced into a header. */
export function pythonText(value: unknown): string {
  return pythonStr(value as PythonValue);
}

/** `data` as sent: integer-valued numbers as integers (protobuf's Struct made them floats). */
export function sendableData(data: unknown): { [key: string]: unknown } {
  return integralFloatsToIntegers(data, "custom.data") as { [key: string]: unknown };
}

/** The output `info` in the form the template declares (flytekit's msgpack dict, or a generic Struct). */
export function webhookOutputs(template: flyteidl.core.TaskTemplate, info: Record<string, unknown>): flyteidl.core.LiteralMap {
  return toOutputLiteralMap({ info: info as PlainValue }, template);
}
