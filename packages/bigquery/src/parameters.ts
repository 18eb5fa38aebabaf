import { describeLiteralType, flyteidl, TaskInputError } from "@flyte-agent/core";

type Literal = flyteidl.core.Literal;
type LiteralType = flyteidl.core.LiteralType;
const SimpleType = flyteidl.core.SimpleType;

/** A query parameter's type in BigQuery's REST representation. */
export interface QueryParameterType {
  type: string;
  arrayType?: QueryParameterType;
}

/** A query parameter's value in BigQuery's REST representation (no `value` means NULL). */
export interface QueryParameterValue {
  value?: string;
  arrayValues?: QueryParameterValue[];
}

/** A named query parameter (`@name` in the SQL), as `jobs.insert` takes it. */
export interface QueryParameter {
  name: string;
  parameterType: QueryParameterType;
  parameterValue: QueryParameterValue;
}

/** The BigQuery type each Flyte scalar becomes by default, and the types it may be declared as instead. */
const ALLOWED_TYPES: Readonly<Record<string, readonly string[]>> = {
  INT64: ["INT64", "NUMERIC", "BIGNUMERIC", "FLOAT64"],
  FLOAT64: ["FLOAT64", "NUMERIC", "BIGNUMERIC"],
  STRING: ["STRING", "DATE", "DATETIME", "TIME", "TIMESTAMP", "NUMERIC", "BIGNUMERIC", "JSON", "GEOGRAPHY"],
  BOOL: ["BOOL"],
  BYTES: ["BYTES"],
  TIMESTAMP: ["TIMESTAMP", "DATETIME", "DATE"],
  JSON: ["JSON"],
};

const PARAMETER_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999999Z, BigQuery's TIMESTAMP range.
const MIN_SECONDS = -62135596800n;
const MAX_SECONDS = 253402300799n;

class NotAParameter extends Error {}

interface Converted {
  type: QueryParameterType;
  value: QueryParameterValue;
}

/**
 * Turns every task input into a named query parameter. Integers stay exact (INT64 as decimal
 * text), datetimes become TIMESTAMP (or the type named in `declaredTypes`), lists become ARRAY.
 * An input that cannot be a parameter is a {@link TaskInputError} naming the input and its type.
 *
 * @param declared - the task interface's inputs, used for NULLs and empty lists
 * @param declaredTypes - BigQuery types chosen per input (template field `ParameterTypes`)
 */
export function toQueryParameters(
  inputs: flyteidl.core.LiteralMap,
  declared: flyteidl.core.VariableMap | undefined,
  declaredTypes: Readonly<Record<string, string>> = {},
): QueryParameter[] {
  const parameters: QueryParameter[] = [];
  for (const [name, literal] of Object.entries(inputs.literals)) {
    const declaredType = declared?.variables[name]?.type;
    const what = `input "${name}" (${declaredType ? describeLiteralType(declaredType) : describeValue(literal)})`;
    if (!PARAMETER_NAME.test(name)) {
      throw new TaskInputError(`${what} cannot be a BigQuery query parameter: the name is not a valid parameter name`);
    }
    try {
      const { type, value } = convert(literal, declaredType, declaredTypes[name]);
      parameters.push({ name, parameterType: type, parameterValue: value });
    } catch (err) {
      if (err instanceof NotAParameter) {
        throw new TaskInputError(`${what} cannot be a BigQuery query parameter: ${err.message}`);
      }
      throw err;
    }
  }
  for (const name of Object.keys(declaredTypes)) {
    if (!(name in inputs.literals)) {
      throw new TaskInputError(`ParameterTypes names "${name}", which is not an input of this task`);
    }
  }
  return parameters;
}

function convert(literal: Literal, declaredType: LiteralType | undefined, chosen: string | undefined): Converted {
  const v = literal.value;
  if (v?.$case === "collection") {
    const elementType = declaredType?.type?.$case === "collectionType" ? declaredType.type.value : undefined;
    const items = v.value.literals.map((item) => convertScalarLiteral(item, elementType, chosen, true));
    const first = items[0]?.type ?? (elementType ? typeOfDeclared(elementType, chosen) : undefined);
    if (!first) throw new NotAParameter("an empty list whose element type is not declared");
    for (const item of items) {
      if (item.type.type !== first.type) {
        throw new NotAParameter(`list elements have different types (${first.type} and ${item.type.type})`);
      }
    }
    return { type: { type: "ARRAY", arrayType: first }, value: { arrayValues: items.map((i) => i.value) } };
  }
  return convertScalarLiteral(literal, declaredType, chosen, false);
}

function convertScalarLiteral(
  literal: Literal,
  declaredType: LiteralType | undefined,
  chosen: string | undefined,
  inArray: boolean,
): Converted {
  const v = literal.value;
  if (!v) throw new NotAParameter("the literal is empty");
  if (v.$case === "collection") throw new NotAParameter("BigQuery has no ARRAY of ARRAY");
  if (v.$case === "map") throw new NotAParameter("maps are not supported (pass a dataclass/dict as JSON instead)");
  if (v.$case === "offloadedMetadata") throw new NotAParameter("offloaded literals are not supported");
  const s = v.value.value;
  if (!s) throw new NotAParameter("the literal is empty");
  switch (s.$case) {
    case "primitive": {
      const p = s.value.value;
      if (!p) throw new NotAParameter("the literal is empty");
      switch (p.$case) {
        case "integer":
          return scalar("INT64", chosen, p.value.toString());
        case "floatValue":
          return scalar("FLOAT64", chosen, formatFloat(p.value));
        case "stringValue":
          return scalar("STRING", chosen, p.value);
        case "boolean":
          return scalar("BOOL", chosen, p.value ? "true" : "false");
        case "datetime":
          return datetimeParameter(p.value.seconds, p.value.nanos, chosen);
        case "duration":
          throw new NotAParameter("durations are not supported (pass seconds as a float or integer)");
      }
      throw new NotAParameter("unknown primitive");
    }
    case "binary":
      return scalar("BYTES", chosen, Buffer.from(s.value.value).toString("base64"));
    case "generic":
      return scalar("JSON", chosen, JSON.stringify(s.value ?? {}));
    case "noneType": {
      if (inArray) throw new NotAParameter("BigQuery arrays cannot hold NULL");
      const type = declaredType ? typeOfDeclared(declaredType, chosen) : undefined;
      if (!type) throw new NotAParameter("None, and the task interface declares no type for it");
      return { type, value: {} };
    }
    case "union": {
      const inner = s.value.value;
      if (!inner) throw new NotAParameter("the union holds no value");
      return convertScalarLiteral(inner, s.value.type ?? declaredType, chosen, inArray);
    }
    case "blob":
    case "structuredDataset":
    case "schema":
      throw new NotAParameter("files and datasets cannot be query parameters (reference their table or uri as a string)");
    case "error":
      throw new NotAParameter("it is an error literal");
  }
  throw new NotAParameter("unknown scalar");
}

function resolveType(base: string, chosen: string | undefined): string {
  if (chosen === undefined) return base;
  const wanted = chosen.trim().toUpperCase();
  const allowed = ALLOWED_TYPES[base] ?? [base];
  if (!allowed.includes(wanted)) {
    throw new NotAParameter(`ParameterTypes asks for ${chosen}, but a ${base} value can only be ${allowed.join(", ")}`);
  }
  return wanted;
}

function scalar(base: string, chosen: string | undefined, value: string): Converted {
  return { type: { type: resolveType(base, chosen) }, value: { value } };
}

/** The parameter type of a declared Flyte type, for NULLs and empty lists. */
function typeOfDeclared(type: LiteralType, chosen: string | undefined): QueryParameterType | undefined {
  const t = type.type;
  if (!t) return undefined;
  if (t.$case === "unionType") {
    for (const variant of t.value.variants) {
      const found = typeOfDeclared(variant, chosen);
      if (found) return found;
    }
    return undefined;
  }
  if (t.$case === "collectionType") {
    const element = typeOfDeclared(t.value, chosen);
    return element && element.type !== "ARRAY" ? { type: "ARRAY", arrayType: element } : undefined;
  }
  if (t.$case === "enumType") return { type: resolveType("STRING", chosen) };
  if (t.$case !== "simple") return undefined;
  const base: Partial<Record<flyteidl.core.SimpleType, string>> = {
    [SimpleType.INTEGER]: "INT64",
    [SimpleType.FLOAT]: "FLOAT64",
    [SimpleType.STRING]: "STRING",
    [SimpleType.BOOLEAN]: "BOOL",
    [SimpleType.DATETIME]: "TIMESTAMP",
    [SimpleType.BINARY]: "BYTES",
    [SimpleType.STRUCT]: "JSON",
  };
  const name = base[t.value];
  return name ? { type: resolveType(name, chosen) } : undefined;
}

function formatFloat(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Number.POSITIVE_INFINITY) return "Infinity";
  if (value === Number.NEGATIVE_INFINITY) return "-Infinity";
  return String(value);
}

function datetimeParameter(seconds: bigint, nanos: number, chosen: string | undefined): Converted {
  if (seconds < MIN_SECONDS || seconds > MAX_SECONDS) {
    throw new NotAParameter("the datetime is outside BigQuery's range (years 1 to 9999)");
  }
  const type = resolveType("TIMESTAMP", chosen);
  const iso = new Date(Number(seconds) * 1000).toISOString(); // YYYY-MM-DDTHH:MM:SS.000Z
  const date = iso.slice(0, 10);
  const time = `${iso.slice(11, 19)}.${String(Math.floor(nanos / 1000)).padStart(6, "0")}`;
  if (type === "DATE") return { type: { type }, value: { value: date } };
  if (type === "DATETIME") return { type: { type }, value: { value: `${date} ${time}` } };
  return { type: { type }, value: { value: `${date}T${time}Z` } };
}

/** A name for a literal's kind when the interface declares no type (for error messages). */
function describeValue(literal: Literal): string {
  const v = literal.value;
  if (!v) return "empty";
  if (v.$case !== "scalar") return v.$case === "collection" ? "list" : v.$case;
  const s = v.value.value;
  if (s?.$case !== "primitive") return s?.$case ?? "empty";
  const names: Record<string, string> = { floatValue: "float", stringValue: "string" };
  const kind = s.value.value?.$case ?? "empty";
  return names[kind] ?? kind;
}
