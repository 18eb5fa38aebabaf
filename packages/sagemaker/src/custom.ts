import { TaskInputError, type flyteidl } from "@flyte-agent/core";

/** A task's `custom` (a protobuf Struct, so numbers are floats), refusing templates without one. */
export function customOf(template: flyteidl.core.TaskTemplate): { [key: string]: unknown } {
  const custom: unknown = template.custom;
  if (typeof custom !== "object" || custom === null || Array.isArray(custom)) {
    throw new TaskInputError(`a ${template.type} task template needs custom fields (custom.config)`);
  }
  return custom as { [key: string]: unknown };
}

/** The rendered name parameter of a call (`EndpointName`, `ModelName`, ...), which must be a non-empty string. */
export function nameParameter(input: { [key: string]: unknown }, param: string): string {
  const value = input[param];
  if (typeof value !== "string" || value === "") {
    throw new TaskInputError(`custom.config.${param} must be a non-empty string after rendering`);
  }
  return value;
}
