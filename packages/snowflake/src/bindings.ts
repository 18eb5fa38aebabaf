import { describeLiteralType, flyteidl, TaskInputError } from "@flyte-agent/core";

type Literal = flyteidl.core.Literal;
type LiteralType = flyteidl.core.LiteralType;
const SimpleType = flyteidl.core.SimpleType;

/** One SQL API bind variable: a Snowflake type and the value as text (`null` = SQL NULL). */
export interface Binding {
  type: string;
  value: string | null;
}

/** The statement with `?` placeholders and its bindings, numbered from "1" in order of use. */
export interface BoundStatement {
  statement: string;
  bindings: { [position: string]: Binding };
}

/** Snowflake types a datetime input may be bound as (the first is the default). */
export const DATETIME_TYPES = ["TIMESTAMP_NTZ", "TIMESTAMP_LTZ", "DATE"] as const;

const PLACEHOLDER = /%\((\w+)\)s|%%/g;
const NANOS_PER_DAY = 86_400n * 1_000_000_000n;

class NotBindable extends Error {}

/**
 * Turns the `%(name)s` placeholders of a statement into SQL API bind variables (`?` plus a
 * typed binding), so input values are never spliced into the SQL text. Integers bind as FIXED
 * (exact), floats as REAL, strings as TEXT, booleans as BOOLEAN, datetimes as TIMESTAMP_NTZ in
 * UTC (or TIMESTAMP_LTZ / DATE when `declaredTypes` says so), durations as TIME. When the task
 * has inputs, `%%` stands for a literal `%` (Python's pyformat rule, as the Python connectors do).
 * An input that cannot be bound, or a placeholder naming no input, is a {@link TaskInputError}
 * naming it.
 *
 * @param declared - the task interface's inputs (types of NULLs, error messages)
 * @param declaredTypes - Snowflake type chosen per input (only datetimes may choose)
 */
export function bindStatement(
  statement: string,
  inputs: flyteidl.core.LiteralMap,
  declared: flyteidl.core.VariableMap | undefined,
  declaredTypes: Readonly<Record<string, string>> = {},
): BoundStatement {
  for (const name of Object.keys(declaredTypes)) {
    if (!(name in inputs.literals)) {
      throw new TaskInputError(`parameter_type.${name} names "${name}", which is not an input of this task`);
    }
  }
  const hasInputs = Object.keys(inputs.literals).length > 0;
  const bindings: { [position: string]: Binding } = {};
  const converted = new Map<string, Binding>();
  let position = 0;
  const text = statement.replace(PLACEHOLDER, (match: string, name: string | undefined) => {
    if (name === undefined) return hasInputs ? "%" : match;
    const literal = inputs.literals[name];
    if (!literal) {
      const known = Object.keys(inputs.literals);
      throw new TaskInputError(
        `the statement uses %(${name})s, but the task has no input "${name}" (inputs: ${known.length ? known.join(", ") : "none"})`,
      );
    }
    let binding = converted.get(name);
    if (!binding) {
      binding = bindInput(name, literal, declared?.variables[name]?.type, declaredTypes[name]);
      converted.set(name, binding);
    }
    position += 1;
    bindings[String(position)] = binding;
    return "?";
  });
  return { statement: text, bindings };
}

function bindInput(name: string, literal: Literal, declaredType: LiteralType | undefined, chosen: string | undefined): Binding {
  try {
    return convert(literal, declaredType, chosen?.trim().toUpperCase());
  } catch (err) {
    if (!(err instanceof NotBindable)) throw err;
    const what = declaredType ? describeLiteralType(declaredType) : "value";
    throw new TaskInputError(`input "${name}" (${what}) cannot be bound in Snowflake: ${err.message}`);
  }
}

function convert(literal: Literal, declaredType: LiteralType | undefined, chosen: string | undefined): Binding {
  const v = literal.value;
  if (!v) throw new NotBindable("the literal is empty");
  if (v.$case === "collection") throw new NotBindable("lists cannot be bind variables (one value per placeholder)");
  if (v.$case === "map") throw new NotBindable("maps cannot be bind variables");
  if (v.$case === "offloadedMetadata") throw new NotBindable("offloaded literals are not supported");
  const s = v.value.value;
  if (!s) throw new NotBindable("the literal is empty");
  switch (s.$case) {
    case "primitive": {
      const p = s.value.value;
      if (!p) throw new NotBindable("the literal is empty");
      switch (p.$case) {
        case "integer":
          return only("FIXED", chosen, p.value.toString());
        case "floatValue":
          return only("REAL", chosen, formatFloat(p.value));
        case "stringValue":
          return only("TEXT", chosen, p.value);
        case "boolean":
          return only("BOOLEAN", chosen, p.value ? "true" : "false");
        case "datetime":
          return datetimeBinding(p.value.seconds, p.value.nanos, chosen);
        case "duration":
          return durationBinding(p.value.seconds, p.value.nanos, chosen);
      }
      throw new NotBindable("unknown primitive");
    }
    case "noneType": {
      const type = declaredType ? typeOfDeclared(declaredType, chosen) : undefined;
      if (!type) throw new NotBindable("it is None and the task interface declares no scalar type for it");
      return { type, value: null };
    }
    case "union": {
      const inner = s.value.value;
      if (!inner) throw new NotBindable("the union holds no value");
      // A None inside a union takes its SQL type from the union's other variants.
      const isNone = inner.value?.$case === "scalar" && inner.value.value.value?.$case === "noneType";
      return convert(inner, isNone ? (declaredType ?? s.value.type) : (s.value.type ?? declaredType), chosen);
    }
    case "binary":
      throw new NotBindable("binary values are not supported");
    case "generic":
      throw new NotBindable("structs are not supported (pass JSON as a string and use PARSE_JSON)");
    case "blob":
    case "structuredDataset":
    case "schema":
      throw new NotBindable("files and datasets cannot be bind variables (pass their uri as a string)");
    case "error":
      throw new NotBindable("it is an error literal");
  }
  throw new NotBindable("unknown scalar");
}

function only(type: string, chosen: string | undefined, value: string): Binding {
  if (chosen !== undefined && chosen !== type) throw new NotBindable(`parameter_type ${chosen} applies to datetimes only`);
  return { type, value };
}

function formatFloat(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Number.POSITIVE_INFINITY) return "inf";
  if (value === Number.NEGATIVE_INFINITY) return "-inf";
  return String(value);
}

function datetimeType(chosen: string | undefined): string {
  const type = chosen ?? DATETIME_TYPES[0];
  if (!(DATETIME_TYPES as readonly string[]).includes(type)) {
    throw new NotBindable(`parameter_type ${type} is not one of ${DATETIME_TYPES.join(", ")}`);
  }
  return type;
}

/** Timestamps bind as nanoseconds since the epoch (UTC); DATE as the milliseconds of its UTC midnight. */
function datetimeBinding(seconds: bigint, nanos: number, chosen: string | undefined): Binding {
  const type = datetimeType(chosen);
  const totalNanos = seconds * 1_000_000_000n + BigInt(nanos);
  if (type !== "DATE") return { type, value: totalNanos.toString() };
  const days = floorDiv(totalNanos, NANOS_PER_DAY);
  return { type, value: (days * 86_400_000n).toString() };
}

/** Durations bind as TIME (nanoseconds since midnight): 0 to 24 hours. */
function durationBinding(seconds: bigint, nanos: number, chosen: string | undefined): Binding {
  const total = seconds * 1_000_000_000n + BigInt(nanos);
  if (total < 0n || total >= NANOS_PER_DAY) {
    throw new NotBindable("a duration binds as TIME, which holds 0 to 24 hours (pass seconds as a number instead)");
  }
  return only("TIME", chosen, total.toString());
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

/** The Snowflake type of a declared Flyte type, for NULLs. */
function typeOfDeclared(type: LiteralType, chosen: string | undefined): string | undefined {
  const t = type.type;
  if (!t) return undefined;
  if (t.$case === "unionType") {
    for (const variant of t.value.variants) {
      const found = typeOfDeclared(variant, chosen);
      if (found) return found;
    }
    return undefined;
  }
  if (t.$case === "enumType") return "TEXT";
  if (t.$case !== "simple") return undefined;
  switch (t.value) {
    case SimpleType.INTEGER:
      return "FIXED";
    case SimpleType.FLOAT:
      return "REAL";
    case SimpleType.STRING:
      return "TEXT";
    case SimpleType.BOOLEAN:
      return "BOOLEAN";
    case SimpleType.DATETIME:
      return datetimeType(chosen);
    case SimpleType.DURATION:
      return "TIME";
    default:
      return undefined;
  }
}
