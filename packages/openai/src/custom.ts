import { type flyteidl, fromLiteral, TaskInputError } from "@flyte-agent/core";

type JsonObject = { [key: string]: unknown };

/** True for a plain JSON object. */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `template.custom`, checked to be an object (flytekit always writes one). */
export function customOf(template: flyteidl.core.TaskTemplate, taskType: string): JsonObject {
  const custom: unknown = template.custom;
  if (!isObject(custom)) throw new TaskInputError(`the ${taskType} task template has no custom fields`);
  return custom;
}

/** `custom.openai_organization`: a string, or null when absent, null or empty. */
export function organizationOf(custom: JsonObject): string | null {
  const value = custom.openai_organization;
  if (value === undefined || value === null || value === "") return null;
  if (typeof value !== "string") throw new TaskInputError(`custom.openai_organization must be a string, got ${describe(value)}`);
  if (value.length > 256 || /[\r\n]/.test(value))
    throw new TaskInputError("custom.openai_organization is not an organization id");
  return value;
}

/** An optional object field of `custom` (`{}` when absent or null, as flytekit's `config or {}`). */
export function objectField(custom: JsonObject, field: string): JsonObject {
  const value = custom[field];
  if (value === undefined || value === null) return {};
  if (!isObject(value)) throw new TaskInputError(`custom.${field} must be an object, got ${describe(value)}`);
  return value;
}

/** A required string input (flytekit's `input_file_id: str`, `message: str`). */
export function stringInput(inputs: flyteidl.core.LiteralMap, name: string, maxChars: number): string {
  const literal = inputs.literals[name];
  if (!literal) throw new TaskInputError(`the task has no input "${name}"`);
  let value: unknown;
  try {
    value = fromLiteral(literal);
  } catch (err) {
    throw new TaskInputError(`input "${name}": ${(err as Error).message}`);
  }
  if (typeof value !== "string") throw new TaskInputError(`input "${name}" must be a string, got ${describe(value)}`);
  if (value.length > maxChars)
    throw new TaskInputError(`input "${name}" is ${value.length} characters, over the limit of ${maxChars}`);
  return value;
}

/** A value's kind, for messages (never the value). */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "nothing";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "bigint") return "an integer";
  if (typeof value === "object") return value instanceof Uint8Array ? "bytes" : "an object";
  return `a ${typeof value}`;
}
