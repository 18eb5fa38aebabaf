import type { DescEnum, DescField, DescMessage } from "@bufbuild/protobuf";
import { closestName } from "../closest-name";

/**
 * Checks a task template written as JSON or YAML against flyteidl's own schema (the descriptor
 * set shipped in @flyte-agent/flyteidl), before it is decoded: the decoder ignores unknown
 * fields and turns unknown enum values into "unrecognized", so a typo (`interfce:`,
 * `simple: INTEGR`) would otherwise pass silently and fail later, far from its cause.
 *
 * Field names are accepted as the proto name (`task_type_version`) or its lowerCamelCase JSON
 * name (`taskTypeVersion`), as the protobuf JSON mapping defines. Well-known types
 * (`google.protobuf.*`: Struct, Duration, Timestamp, wrappers) hold any JSON of their own and
 * are not looked into: `custom` is checked against the agent's declared keys instead.
 */

const TASK_TEMPLATE = "flyteidl.core.TaskTemplate";
/** Most problems reported at once. */
const MAX_PROBLEMS = 10;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

let taskTemplate: DescMessage | undefined;

/** flyteidl's TaskTemplate descriptor, built once from the descriptor set (about 20 ms). */
function taskTemplateDescriptor(): DescMessage {
  if (!taskTemplate) {
    const { createFileRegistry, fromBinary } = require("@bufbuild/protobuf") as typeof import("@bufbuild/protobuf");
    const { FileDescriptorSetSchema } = require("@bufbuild/protobuf/wkt") as typeof import("@bufbuild/protobuf/wkt");
    const { loadFileDescriptorSet } = require("@flyte-agent/flyteidl") as typeof import("@flyte-agent/flyteidl");
    const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, loadFileDescriptorSet()));
    const found = registry.getMessage(TASK_TEMPLATE);
    if (!found) throw new Error(`${TASK_TEMPLATE} is missing from the flyteidl descriptor set`);
    taskTemplate = found;
  }
  return taskTemplate;
}

const isWellKnown = (message: DescMessage): boolean => message.typeName.startsWith("google.protobuf.");

function checkEnum(value: unknown, desc: DescEnum, path: string, problems: string[]): void {
  if (typeof value === "number" && Number.isInteger(value)) return;
  if (value === null) return;
  const names = desc.values.map((v) => v.name);
  if (typeof value === "string" && names.includes(value)) return;
  const close = typeof value === "string" ? closestName(value, names) : undefined;
  problems.push(
    `${path}: ${JSON.stringify(value)} is not a ${desc.name}${close ? ` (did you mean "${close}"?)` : ""}; allowed: ${names.join(", ")}`,
  );
}

function checkValue(value: unknown, field: DescField, kind: "scalar" | "enum" | "message", path: string, problems: string[]) {
  if (kind === "enum" && field.enum) checkEnum(value, field.enum, path, problems);
  else if (kind === "message" && field.message && value !== null) checkMessage(value, field.message, path, problems);
}

function checkField(value: unknown, field: DescField, path: string, problems: string[]): void {
  switch (field.fieldKind) {
    case "scalar":
      return;
    case "enum":
      checkEnum(value, field.enum, path, problems);
      return;
    case "message":
      if (value !== null) checkMessage(value, field.message, path, problems);
      return;
    case "list":
      if (!Array.isArray(value)) {
        if (value !== null) problems.push(`${path}: expected a list`);
        return;
      }
      value.forEach((item, i) => {
        checkValue(item, field, field.listKind, `${path}[${i}]`, problems);
      });
      return;
    case "map":
      if (!isObject(value)) {
        if (value !== null) problems.push(`${path}: expected an object (a map)`);
        return;
      }
      for (const [key, item] of Object.entries(value)) checkValue(item, field, field.mapKind, `${path}.${key}`, problems);
      return;
  }
}

function checkMessage(value: unknown, message: DescMessage, path: string, problems: string[]): void {
  if (isWellKnown(message)) return;
  if (!isObject(value)) {
    problems.push(`${path}: expected an object (${message.name})`);
    return;
  }
  const byName = new Map<string, DescField>();
  for (const f of message.fields) {
    byName.set(f.name, f);
    byName.set(f.jsonName, f);
  }
  for (const [key, child] of Object.entries(value)) {
    if (problems.length >= MAX_PROBLEMS) return;
    const field = byName.get(key);
    const where = path ? `${path}.${key}` : key;
    if (!field) {
      const close = closestName(
        key,
        message.fields.map((f) => (/_/.test(key) ? f.name : f.jsonName)),
      );
      problems.push(`${where}: unknown field of ${message.name}${close ? ` (did you mean "${close}"?)` : ""}`);
      continue;
    }
    checkField(child, field, where, problems);
  }
}

/**
 * The problems of a TaskTemplate in the protobuf JSON mapping (camelCase or snake_case field
 * names): unknown fields, each with the closest known name, and unknown enum values, each with
 * the allowed ones. Empty when it follows the schema. At most 10 are reported.
 */
export function templateSchemaProblems(template: Record<string, unknown>): string[] {
  const problems: string[] = [];
  checkMessage(template, taskTemplateDescriptor(), "", problems);
  return problems;
}
