import { readFileSync } from "node:fs";
import { extname } from "node:path";
import { core } from "@flyte-agent/flyteidl";
import { templateSchemaProblems } from "./template-schema";

/** Thrown when a task template (or inputs) file cannot be read. */
export class TemplateFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TemplateFileError";
  }
}

type Json = { [key: string]: unknown };
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Finds the TaskTemplate inside what Flyte tools print: a TaskTemplate itself, a TaskSpec or
 * CreateTaskRequest (`template`), an admin Task (`closure.compiledTask.template`) or a
 * CompiledTask (`compiledTask.template` / `template`). camelCase and snake_case both work.
 */
function findTemplateJson(value: Json): Json | undefined {
  if (typeof value.type === "string") return value;
  const closure = value.closure;
  const candidates: unknown[] = [
    value.template,
    isObject(closure) ? (closure.compiledTask ?? closure.compiled_task) : undefined,
    value.compiledTask,
    value.compiled_task,
    isObject(value.spec) ? value.spec.template : undefined,
  ];
  for (const c of candidates) {
    if (!isObject(c)) continue;
    const found = findTemplateJson(c);
    if (found) return found;
  }
  return undefined;
}

/**
 * Parses a task template from flyteidl JSON or YAML text (protobuf JSON mapping, any wrapper
 * above). The template is checked against flyteidl's schema first: an unknown field or enum
 * value is an error naming it (see {@link templateSchemaProblems}).
 */
export function parseTemplateText(text: string, format: "json" | "yaml"): core.TaskTemplate {
  let value: unknown;
  try {
    value = format === "json" ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new TemplateFileError(`not valid ${format.toUpperCase()}: ${(err as Error).message}`);
  }
  const found = isObject(value) ? findTemplateJson(value) : undefined;
  if (!found) {
    throw new TemplateFileError('no task template found: expected an object with a "type" (a flyteidl TaskTemplate)');
  }
  const problems = templateSchemaProblems(found);
  if (problems.length > 0) {
    throw new TemplateFileError(`not a valid TaskTemplate:\n  ${problems.join("\n  ")}`);
  }
  try {
    return core.TaskTemplate.fromJSON(found);
  } catch (err) {
    throw new TemplateFileError(`not a valid TaskTemplate: ${(err as Error).message}`);
  }
}

function readVarint(bytes: Uint8Array, pos: number): [value: number, next: number] {
  let value = 0;
  let shift = 0;
  for (let i = pos; i < bytes.length && shift < 64; i++) {
    const b = bytes[i] ?? 0;
    if (shift < 49) value += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if ((b & 0x80) === 0) return [value, i + 1];
  }
  throw new Error("truncated varint");
}

/** Reads field 1 (length-delimited) of a message: the template inside a TaskSpec or CompiledTask. */
function firstField(bytes: Uint8Array): Uint8Array | undefined {
  let pos = 0;
  while (pos < bytes.length) {
    const [tag, afterTag] = readVarint(bytes, pos);
    const field = Math.floor(tag / 8);
    const wireType = tag % 8;
    pos = afterTag;
    if (wireType === 0) pos = readVarint(bytes, pos)[1];
    else if (wireType === 1) pos += 8;
    else if (wireType === 5) pos += 4;
    else if (wireType === 2) {
      const [length, start] = readVarint(bytes, pos);
      if (start + length > bytes.length) throw new Error("truncated field");
      if (field === 1) return bytes.subarray(start, start + length);
      pos = start + length;
    } else throw new Error(`unsupported wire type ${wireType}`);
  }
  return undefined;
}

/** A plausible task type: a short printable name such as `python-task` or `bigquery_query_job_task`. */
const TASK_TYPE = /^[\w.:/-]{1,200}$/;

/**
 * Decodes a task template from protobuf binary: a TaskTemplate, or a message holding it as
 * field 1 (admin.TaskSpec from `pyflyte package`, core.CompiledTask).
 */
export function parseTemplateBinary(bytes: Uint8Array): core.TaskTemplate {
  let current: Uint8Array | undefined = bytes;
  for (let depth = 0; current && depth < 3; depth++) {
    try {
      const t = core.TaskTemplate.decode(current);
      if (TASK_TYPE.test(t.type)) return t;
    } catch {
      // not a TaskTemplate at this level: look inside
    }
    try {
      current = firstField(current);
    } catch {
      current = undefined;
    }
  }
  throw new TemplateFileError("no task template found in the protobuf binary (expected a TaskTemplate or a TaskSpec)");
}

/**
 * Loads a task template file: `.json`, `.yaml`/`.yml` or `.pb` (protobuf binary); other names
 * are recognised by their content.
 */
export function loadTemplateFile(path: string): core.TaskTemplate {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new TemplateFileError(
      `cannot read task template ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  try {
    return parseTemplateBytes(bytes, extname(path).toLowerCase());
  } catch (err) {
    throw new TemplateFileError(`task template ${path}: ${(err as Error).message}`);
  }
}

function parseTemplateBytes(bytes: Buffer, ext: string): core.TaskTemplate {
  if (ext === ".pb" || ext === ".bin") return parseTemplateBinary(bytes);
  if (ext === ".json") return parseTemplateText(bytes.toString("utf8"), "json");
  if (ext === ".yaml" || ext === ".yml") return parseTemplateText(bytes.toString("utf8"), "yaml");
  if (looksBinary(bytes)) return parseTemplateBinary(bytes);
  const text = bytes.toString("utf8");
  return parseTemplateText(text, text.trimStart().startsWith("{") ? "json" : "yaml");
}

/** True when the bytes hold control characters that text formats do not use. */
export function looksBinary(bytes: Uint8Array): boolean {
  for (const b of bytes.subarray(0, 512)) if (b < 0x09 || (b > 0x0d && b < 0x20)) return true;
  return false;
}

/** Parses YAML, loading the parser only when a YAML file is actually read (it is not needed to serve). */
function parseYaml(text: string): unknown {
  return (require("yaml") as typeof import("yaml")).parse(text);
}
