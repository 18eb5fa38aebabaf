import { readFileSync } from "node:fs";
import { extname } from "node:path";
import { core as idl } from "@flyte-agent/flyteidl";
import type { core } from "@flyte-agent/flyteidl";
import { describeLiteralType, DurationValue, type PlainValue } from "../literals";
import { parseDuration } from "../duration";
import { looksBinary, TemplateFileError } from "./template-file";

/** Inputs read from the command line: plain values, or a ready LiteralMap. */
export interface InputsSource {
  values: { [name: string]: PlainValue };
  literals?: core.LiteralMap;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const typeOf = (template: core.TaskTemplate, name: string) => template.interface?.inputs?.variables[name]?.type;

/**
 * Adapts a JSON value to a declared type where JSON has no native form: a duration given as
 * text (`"90s"`) or seconds, binary as base64 text. Collections and maps are walked.
 */
export function adaptJsonValue(value: Json, type: core.LiteralType | undefined): PlainValue {
  const t = type?.type;
  if (t?.$case === "simple" && t.value === idl.SimpleType.DURATION) {
    if (typeof value === "string") return DurationValue.fromMillis(parseDuration(value, "the value"));
    if (typeof value === "number") return DurationValue.fromMillis(value * 1000);
  }
  if (t?.$case === "simple" && t.value === idl.SimpleType.BINARY && typeof value === "string") {
    return new Uint8Array(Buffer.from(value, "base64"));
  }
  if (t?.$case === "collectionType" && Array.isArray(value)) return value.map((v) => adaptJsonValue(v, t.value));
  if (t?.$case === "mapValueType" && value !== null && typeof value === "object" && !Array.isArray(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, adaptJsonValue(v, t.value)]));
  }
  return value;
}

/** Types whose command-line text is used as is (no JSON parsing). */
function takesRawText(type: core.LiteralType | undefined): boolean {
  const t = type?.type;
  if (!t) return false;
  if (t.$case === "simple") {
    const S = idl.SimpleType;
    return [S.STRING, S.INTEGER, S.FLOAT, S.BOOLEAN, S.DATETIME, S.DURATION, S.BINARY].includes(t.value);
  }
  return t.$case === "enumType" || t.$case === "blob" || t.$case === "structuredDatasetType" || t.$case === "schema";
}

/**
 * Turns one `--input name=value` text into a plain value following the declared type: text
 * for strings, numbers, booleans, dates, durations (`90s`), enums and URIs; JSON for lists,
 * maps, structs and unions (falling back to the text). Without a declared type, JSON when it
 * parses, else the text.
 */
export function parseInputText(name: string, text: string, type: core.LiteralType | undefined): PlainValue {
  if (takesRawText(type)) {
    const t = type?.type;
    if (t?.$case === "simple" && t.value === idl.SimpleType.DURATION) {
      try {
        return DurationValue.fromMillis(parseDuration(text, "the value"));
      } catch (err) {
        throw new TemplateFileError(`input "${name}" (duration): ${(err as Error).message}`);
      }
    }
    if (t?.$case === "simple" && t.value === idl.SimpleType.BINARY) return new Uint8Array(Buffer.from(text, "base64"));
    return text;
  }
  let parsed: Json;
  try {
    parsed = JSON.parse(text) as Json;
  } catch {
    const t = type?.type;
    const needsJson = t?.$case === "collectionType" || t?.$case === "mapValueType" || t?.$case === "simple";
    if (needsJson) {
      throw new TemplateFileError(`input "${name}" (${describeLiteralType(type)}): expected JSON, got ${JSON.stringify(text)}`);
    }
    return text;
  }
  return adaptJsonValue(parsed, type);
}

/** Parses repeated `--input name=value` flags against the template's interface. */
export function parseInputFlags(flags: readonly string[], template: core.TaskTemplate): { [name: string]: PlainValue } {
  const values: { [name: string]: PlainValue } = {};
  for (const flag of flags) {
    const eq = flag.indexOf("=");
    if (eq <= 0) throw new TemplateFileError(`--input expects name=value, got ${JSON.stringify(flag)}`);
    const name = flag.slice(0, eq);
    if (name in values) throw new TemplateFileError(`input "${name}" is given twice`);
    values[name] = parseInputText(name, flag.slice(eq + 1), typeOf(template, name));
  }
  return values;
}

/**
 * Reads an inputs file: a JSON or YAML object of plain values (adapted to the declared types),
 * a flyteidl LiteralMap in JSON (`{"literals": {...}}`, when the task has no input named
 * `literals`), or a LiteralMap in protobuf binary (`.pb`, as in a Flyte `inputs.pb`).
 */
export function loadInputsFile(path: string, template: core.TaskTemplate): InputsSource {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new TemplateFileError(`cannot read inputs ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const ext = extname(path).toLowerCase();
  if (ext === ".pb" || (ext !== ".json" && ext !== ".yaml" && ext !== ".yml" && looksBinary(bytes))) {
    try {
      return { values: {}, literals: idl.LiteralMap.decode(bytes) };
    } catch (err) {
      throw new TemplateFileError(`inputs ${path}: not a LiteralMap in protobuf binary: ${(err as Error).message}`);
    }
  }
  let value: unknown;
  try {
    const text = bytes.toString("utf8");
    value = ext === ".json" || text.trimStart().startsWith("{") ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new TemplateFileError(`inputs ${path}: ${(err as Error).message}`);
  }
  if (value === null || value === undefined) return { values: {} };
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new TemplateFileError(`inputs ${path}: expected an object of input names to values`);
  }
  const obj = value as { [key: string]: Json };
  const declared = template.interface?.inputs?.variables ?? {};
  const keys = Object.keys(obj);
  if (keys.length === 1 && keys[0] === "literals" && !("literals" in declared)) {
    return { values: {}, literals: idl.LiteralMap.fromJSON(obj) };
  }
  const values: { [name: string]: PlainValue } = {};
  for (const [name, v] of Object.entries(obj)) {
    try {
      values[name] = adaptJsonValue(v, typeOf(template, name));
    } catch (err) {
      throw new TemplateFileError(`input "${name}" (${describeLiteralType(typeOf(template, name))}): ${(err as Error).message}`);
    }
  }
  return { values };
}

/** Parses YAML, loading the parser only when a YAML file is actually read (it is not needed to serve). */
function parseYaml(text: string): unknown {
  return (require("yaml") as typeof import("yaml")).parse(text);
}
