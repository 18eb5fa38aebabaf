import { clipClientValue } from "./bounded-text";
import { core as idl } from "@flyte-agent/flyteidl";
import type { core } from "@flyte-agent/flyteidl";
import { TaskInputError } from "./errors";
import { decodeMsgpack, isMsgpackStruct, MSGPACK_TAG, msgpackLiteral } from "./msgpack-literal";

/** A length of time as flyteidl carries it (`google.protobuf.Duration`), without precision loss. */
export class DurationValue {
  constructor(
    readonly seconds: bigint,
    readonly nanos = 0,
  ) {}
  /** From milliseconds. */
  static fromMillis(ms: number): DurationValue {
    const whole = Math.trunc(ms / 1000);
    return new DurationValue(BigInt(whole), Math.round((ms - whole * 1000) * 1e6));
  }
  /** As milliseconds (a float; sub-microsecond precision may be lost). */
  toMillis(): number {
    return Number(this.seconds) * 1000 + this.nanos / 1e6;
  }
}

/** A reference to a structured dataset (a table or a set of files) by URI. */
export class StructuredDatasetRef {
  constructor(
    readonly uri: string,
    /** Storage format, e.g. `"parquet"`; "" lets the consumer decide. */
    readonly format = "",
  ) {}
}

/** A reference to a file (`single`) or a directory (`multipart`) in blob storage. */
export class BlobRef {
  constructor(
    readonly uri: string,
    readonly format = "",
    readonly dimensionality: "single" | "multipart" = "single",
  ) {}
}

/**
 * A plain value that converts to and from a flyteidl Literal:
 * `null` (none), `bigint` (integer), `number` (float, or integer when whole and no type says
 * otherwise), `string`, `boolean`, `Date` (datetime), {@link DurationValue}, `Uint8Array`
 * (binary), arrays (collections), plain objects (maps, or a generic struct when the type says
 * STRUCT), {@link StructuredDatasetRef} and {@link BlobRef}.
 */
export type PlainValue =
  | null
  | bigint
  | number
  | string
  | boolean
  | Date
  | DurationValue
  | Uint8Array
  | StructuredDatasetRef
  | BlobRef
  | PlainValue[]
  | { [key: string]: PlainValue };

const scalar = (value: core.Scalar["value"]): core.Literal => ({
  value: { $case: "scalar", value: { value } },
  hash: "",
  metadata: {},
});
const primitive = (value: core.Primitive["value"]): core.Literal => scalar({ $case: "primitive", value: { value } });

function dateToTimestamp(d: Date): { seconds: bigint; nanos: number } {
  const ms = d.getTime();
  if (Number.isNaN(ms)) throw new TypeError("invalid Date");
  const seconds = Math.floor(ms / 1000);
  return { seconds: BigInt(seconds), nanos: (ms - seconds * 1000) * 1e6 };
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (value instanceof Date) return "Date";
  if (value instanceof Uint8Array) return "bytes";
  return typeof value;
}

/** Human-readable name of a LiteralType, e.g. `list<integer>`. */
export function describeLiteralType(type: core.LiteralType | undefined): string {
  const t = type?.type;
  if (!t) return "any";
  switch (t.$case) {
    case "simple":
      return (idl.SimpleType[t.value] ?? "unknown").toLowerCase();
    case "collectionType":
      return `list<${describeLiteralType(t.value)}>`;
    case "mapValueType":
      return `map<string, ${describeLiteralType(t.value)}>`;
    case "blob":
      return "blob";
    case "structuredDatasetType":
      return "structured_dataset";
    case "schema":
      return "schema";
    case "enumType":
      return `enum(${t.value.values.join("|")})`;
    case "unionType":
      return `union<${t.value.variants.map(describeLiteralType).join(" | ")}>`;
    default:
      return "unknown";
  }
}

/**
 * Converts a plain value to a Literal. With `type` (the task interface's LiteralType) the
 * conversion follows it and checks the value; without it the value's own JS type decides.
 * Throws a TypeError that says what was expected and what was given.
 */
export function toLiteral(value: PlainValue, type?: core.LiteralType): core.Literal {
  const t = type?.type;
  if (t?.$case === "unionType") {
    for (const variant of t.value.variants) {
      try {
        const inner = toLiteral(value, variant);
        return scalar({ $case: "union", value: { value: inner, type: variant } });
      } catch {
        // not this variant: try the next one
      }
    }
    throw new TypeError(`${describe(value)} matches no variant of ${describeLiteralType(type)}`);
  }
  if (t?.$case === "simple") {
    if (isMsgpackStruct(type)) return structLiteral(value, type);
    return simpleLiteral(value, t.value);
  }
  if (t?.$case === "collectionType") {
    if (!Array.isArray(value)) throw new TypeError(`expected a list, got ${describe(value)}`);
    return {
      value: { $case: "collection", value: { literals: value.map((v) => toLiteral(v, t.value)) } },
      hash: "",
      metadata: {},
    };
  }
  if (t?.$case === "mapValueType") {
    if (!isPlainObject(value)) throw new TypeError(`expected a map, got ${describe(value)}`);
    return mapLiteral(value, t.value);
  }
  if (t?.$case === "enumType") {
    if (typeof value !== "string" || !t.value.values.includes(value)) {
      throw new TypeError(`expected one of ${t.value.values.join(", ")}, got ${clipClientValue(String(JSON.stringify(value)))}`);
    }
    return primitive({ $case: "stringValue", value });
  }
  if (t?.$case === "blob") {
    const ref = typeof value === "string" ? new BlobRef(value, t.value.format) : value;
    if (!(ref instanceof BlobRef)) throw new TypeError(`expected a blob reference, got ${describe(value)}`);
    return blobLiteral(ref);
  }
  if (t?.$case === "structuredDatasetType") {
    const ref = typeof value === "string" ? new StructuredDatasetRef(value, t.value.format) : value;
    if (!(ref instanceof StructuredDatasetRef)) throw new TypeError(`expected a structured dataset, got ${describe(value)}`);
    return datasetLiteral(ref, t.value);
  }
  return untypedLiteral(value);
}

function untypedLiteral(value: PlainValue): core.Literal {
  if (value === null || value === undefined) return scalar({ $case: "noneType", value: {} });
  if (typeof value === "bigint") return primitive({ $case: "integer", value });
  if (typeof value === "number") {
    return Number.isSafeInteger(value)
      ? primitive({ $case: "integer", value: BigInt(value) })
      : primitive({ $case: "floatValue", value });
  }
  if (typeof value === "string") return primitive({ $case: "stringValue", value });
  if (typeof value === "boolean") return primitive({ $case: "boolean", value });
  if (value instanceof Date) return primitive({ $case: "datetime", value: dateToTimestamp(value) });
  if (value instanceof DurationValue)
    return primitive({ $case: "duration", value: { seconds: value.seconds, nanos: value.nanos } });
  if (value instanceof Uint8Array) return scalar({ $case: "binary", value: { value: Buffer.from(value), tag: "" } });
  if (value instanceof StructuredDatasetRef) return datasetLiteral(value);
  if (value instanceof BlobRef) return blobLiteral(value);
  if (Array.isArray(value)) {
    return { value: { $case: "collection", value: { literals: value.map((v) => untypedLiteral(v)) } }, hash: "", metadata: {} };
  }
  if (isPlainObject(value)) return mapLiteral(value);
  throw new TypeError(`cannot convert ${describe(value)} to a literal`);
}

function simpleLiteral(value: PlainValue, simple: core.SimpleType): core.Literal {
  const S = idl.SimpleType;
  const fail = (): never => {
    throw new TypeError(`expected ${(S[simple] ?? "?").toLowerCase()}, got ${describe(value)} ${preview(value)}`);
  };
  switch (simple) {
    case S.NONE:
      return value === null ? scalar({ $case: "noneType", value: {} }) : fail();
    case S.INTEGER:
      if (typeof value === "bigint") return primitive({ $case: "integer", value });
      if (typeof value === "number" && Number.isSafeInteger(value)) return primitive({ $case: "integer", value: BigInt(value) });
      if (typeof value === "string" && /^-?\d+$/.test(value.trim())) {
        const n = BigInt(value.trim());
        if (n >= -(2n ** 63n) && n < 2n ** 63n) return primitive({ $case: "integer", value: n });
      }
      return fail();
    case S.FLOAT:
      if (typeof value === "number") return primitive({ $case: "floatValue", value });
      if (typeof value === "bigint") return primitive({ $case: "floatValue", value: Number(value) });
      if (typeof value === "string" && value.trim() !== "" && !Number.isNaN(Number(value))) {
        return primitive({ $case: "floatValue", value: Number(value) });
      }
      return fail();
    case S.STRING:
      return typeof value === "string" ? primitive({ $case: "stringValue", value }) : fail();
    case S.BOOLEAN:
      if (typeof value === "boolean") return primitive({ $case: "boolean", value });
      if (value === "true" || value === "false") return primitive({ $case: "boolean", value: value === "true" });
      return fail();
    case S.DATETIME: {
      const d = value instanceof Date ? value : typeof value === "string" ? new Date(value) : undefined;
      if (!d || Number.isNaN(d.getTime())) return fail();
      return primitive({ $case: "datetime", value: dateToTimestamp(d) });
    }
    case S.DURATION: {
      if (value instanceof DurationValue)
        return primitive({ $case: "duration", value: { seconds: value.seconds, nanos: value.nanos } });
      if (typeof value === "number") {
        const d = DurationValue.fromMillis(value * 1000);
        return primitive({ $case: "duration", value: { seconds: d.seconds, nanos: d.nanos } });
      }
      return fail();
    }
    case S.BINARY:
      return value instanceof Uint8Array ? scalar({ $case: "binary", value: { value: Buffer.from(value), tag: "" } }) : fail();
    case S.STRUCT:
      return isPlainObject(value) ? scalar({ $case: "generic", value: toJson(value) as { [key: string]: unknown } }) : fail();
    default:
      return untypedLiteral(value);
  }
}

function preview(value: unknown): string {
  try {
    const s = typeof value === "bigint" ? `${value}n` : JSON.stringify(value);
    return s === undefined ? "" : `(${s.length > 40 ? `${s.slice(0, 40)}...` : s})`;
  } catch {
    return "";
  }
}

function toJson(value: PlainValue): unknown {
  if (typeof value === "bigint") return Number(value);
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(toJson);
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJson(v)]));
  return value;
}

function mapLiteral(value: { [key: string]: PlainValue }, valueType?: core.LiteralType): core.Literal {
  const literals: { [key: string]: core.Literal } = {};
  for (const [k, v] of Object.entries(value)) literals[k] = toLiteral(v, valueType);
  return { value: { $case: "map", value: { literals } }, hash: "", metadata: {} };
}

function blobLiteral(ref: BlobRef): core.Literal {
  const dimensionality =
    ref.dimensionality === "multipart" ? idl.BlobType_BlobDimensionality.MULTIPART : idl.BlobType_BlobDimensionality.SINGLE;
  return scalar({ $case: "blob", value: { uri: ref.uri, metadata: { type: { format: ref.format, dimensionality } } } });
}

function datasetLiteral(ref: StructuredDatasetRef, type?: core.StructuredDatasetType): core.Literal {
  const structuredDatasetType: core.StructuredDatasetType = type ?? {
    columns: [],
    format: ref.format,
    externalSchemaType: "",
    externalSchemaBytes: Buffer.alloc(0),
  };
  return scalar({ $case: "structuredDataset", value: { uri: ref.uri, metadata: { structuredDatasetType } } });
}

function isPlainObject(value: unknown): value is { [key: string]: PlainValue } {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Converts plain values to a LiteralMap. With `variables` (the task interface's inputs or
 * outputs), each value follows its declared type; a value that does not fit becomes a
 * {@link TaskInputError} naming the variable and both types.
 */
export function toLiteralMap(values: { [name: string]: PlainValue }, variables?: core.VariableMap): core.LiteralMap {
  const literals: { [key: string]: core.Literal } = {};
  for (const [name, value] of Object.entries(values)) {
    const type = variables?.variables[name]?.type;
    try {
      literals[name] = toLiteral(value, type);
    } catch (err) {
      throw new TaskInputError(`"${name}" (${describeLiteralType(type)}): ${(err as Error).message}`);
    }
  }
  return { literals };
}

/**
 * A dict (a plain object) as a STRUCT literal in the form `type` asks for: flytekit's current
 * `scalar.binary { tag: "msgpack" }` when `type` carries the msgpack annotation (see
 * `isMsgpackStruct`), the older `scalar.generic` Struct otherwise (or without a type). A
 * downstream flytekit task reads either unchanged. Throws a TypeError for a value that is not a
 * plain object.
 */
export function structLiteral(value: PlainValue, type?: core.LiteralType): core.Literal {
  if (!isPlainObject(value)) throw new TypeError(`expected a dict (a plain object), got ${describe(value)}`);
  if (isMsgpackStruct(type)) return msgpackLiteral(value);
  return scalar({ $case: "generic", value: toJson(value) as { [key: string]: unknown } });
}

/**
 * A task's outputs as the template declares them: {@link toLiteralMap} over
 * `template.interface.outputs`, so a `dict` output that flytekit typed as msgpack STRUCT is
 * written as msgpack, an unannotated STRUCT as a generic Struct, a `str` as a string, and so on.
 * A value whose name the interface does not declare is converted by its own JS type.
 */
export function toOutputLiteralMap(
  values: { [name: string]: PlainValue },
  template: Pick<core.TaskTemplate, "interface"> | undefined,
): core.LiteralMap {
  return toLiteralMap(values, template?.interface?.outputs);
}

/**
 * Converts a Literal to a plain value (see {@link PlainValue}). Integers come back as bigint. A
 * msgpack binary (`tag: "msgpack"`, flytekit's form of a dict or dataclass) comes back decoded,
 * with JSON's numbers (`bigint` only beyond 2^53); the older `generic` Struct form as its object.
 * Bytes that are not msgpack are a TypeError.
 */
export function fromLiteral(literal: core.Literal): PlainValue {
  const v = literal.value;
  if (!v) return null;
  switch (v.$case) {
    case "collection":
      return v.value.literals.map(fromLiteral);
    case "map":
      return fromLiteralMap(v.value);
    case "scalar":
      return fromScalar(v.value);
    case "offloadedMetadata":
      throw new TypeError(`offloaded literal at ${v.value.uri} must be loaded before it can be read`);
    default:
      throw new TypeError("unsupported literal");
  }
}

function fromScalar(s: core.Scalar): PlainValue {
  const v = s.value;
  if (!v) return null;
  switch (v.$case) {
    case "primitive": {
      const p = v.value.value;
      if (!p) return null;
      switch (p.$case) {
        case "integer":
          return p.value;
        case "floatValue":
          return p.value;
        case "stringValue":
          return p.value;
        case "boolean":
          return p.value;
        case "datetime":
          return new Date(Number(p.value.seconds) * 1000 + Math.floor(p.value.nanos / 1e6));
        case "duration":
          return new DurationValue(p.value.seconds, p.value.nanos);
      }
      return null;
    }
    case "noneType":
      return null;
    case "binary":
      return v.value.tag === MSGPACK_TAG ? decodeMsgpack(v.value.value) : new Uint8Array(v.value.value);
    case "generic":
      return (v.value ?? {}) as PlainValue;
    case "structuredDataset":
      return new StructuredDatasetRef(v.value.uri, v.value.metadata?.structuredDatasetType?.format ?? "");
    case "blob":
      return new BlobRef(
        v.value.uri,
        v.value.metadata?.type?.format ?? "",
        v.value.metadata?.type?.dimensionality === idl.BlobType_BlobDimensionality.MULTIPART ? "multipart" : "single",
      );
    case "union":
      return v.value.value ? fromLiteral(v.value.value) : null;
    case "schema":
      return new StructuredDatasetRef(v.value.uri);
    case "error":
      throw new TypeError(`error literal: ${clipClientValue(v.value.message)}`);
  }
  return null;
}

/** Converts a LiteralMap to an object of plain values. */
export function fromLiteralMap(map: core.LiteralMap | undefined): { [name: string]: PlainValue } {
  const out: { [name: string]: PlainValue } = {};
  for (const [name, literal] of Object.entries(map?.literals ?? {})) out[name] = fromLiteral(literal);
  return out;
}
