import type { core } from "@flyte-agent/flyteidl";
import { TaskInputError } from "./errors";
import { decodeMsgpack, MSGPACK_TAG } from "./msgpack-literal";
import { pythonJsonDumps, type PythonValue } from "./python-text";
import { setOwn } from "./own-property";

/** Limits of {@link placeholderInputs}. */
export interface PlaceholderInputLimits {
  /** Deepest nesting of collections, maps and dicts read. @default 32 */
  readonly maxDepth?: number;
  /** Most values (every literal, list item and dict entry) read. @default 100000 */
  readonly maxValues?: number;
}

/** Default of {@link PlaceholderInputLimits.maxDepth}. */
export const DEFAULT_PLACEHOLDER_DEPTH = 32;
/** Default of {@link PlaceholderInputLimits.maxValues}. */
export const DEFAULT_PLACEHOLDER_INPUT_VALUES = 100_000;

/**
 * A task's inputs as flytekit's `literal_map_string_repr` gives them to placeholders: integers
 * as `bigint` (Python ints), floats as `number`, strings and booleans as they are, a datetime as
 * its `isoformat()` text (`2026-01-02T03:04:05.678000+00:00`), a duration as its seconds (a
 * float), a blob, dataset or schema as its uri, a msgpack dict (flytekit's form of a dict or
 * dataclass) as the JSON text Python's `json.dumps` writes, an older `generic` Struct as its
 * dict, a collection as a list, a map as a dict, none as `null`. Bytes that are not msgpack
 * become their base64 text (flytekit gives Python `bytes`). Throws {@link TaskInputError}
 * naming the input for an input it cannot read or one beyond the limits.
 */
export function placeholderInputs(
  inputs: core.LiteralMap | undefined,
  limits: PlaceholderInputLimits = {},
): { [name: string]: PythonValue } {
  const literals = inputs?.literals ?? {};
  const reader = new InputReader(
    limits.maxDepth ?? DEFAULT_PLACEHOLDER_DEPTH,
    limits.maxValues ?? DEFAULT_PLACEHOLDER_INPUT_VALUES,
  );
  const out: { [name: string]: PythonValue } = {};
  for (const [name, literal] of Object.entries(literals)) out[name] = reader.literal(literal, name, 0);
  return out;
}

class InputReader {
  private seen = 0;
  constructor(
    private readonly maxDepth: number,
    private readonly maxValues: number,
  ) {}

  private count(path: string, depth: number): void {
    if (++this.seen > this.maxValues) throw new TaskInputError(`inputs hold more than ${this.maxValues} values (at ${path})`);
    if (depth > this.maxDepth) throw new TaskInputError(`input ${path} is nested deeper than ${this.maxDepth} levels`);
  }

  literal(literal: core.Literal, path: string, depth: number): PythonValue {
    this.count(path, depth);
    const v = literal.value;
    if (!v) return null;
    switch (v.$case) {
      case "scalar":
        return this.scalar(v.value, path, depth);
      case "collection":
        return v.value.literals.map((l, i) => this.literal(l, `${path}[${i}]`, depth + 1));
      case "map": {
        const out: { [key: string]: PythonValue } = {};
        for (const [k, l] of Object.entries(v.value.literals)) setOwn(out, k, this.literal(l, `${path}.${k}`, depth + 1));
        return out;
      }
      case "offloadedMetadata":
        throw new TaskInputError(`input ${path} is offloaded to ${v.value.uri}; placeholders cannot read offloaded inputs`);
      default:
        throw new TaskInputError(`input ${path} is a literal placeholders cannot read`);
    }
  }

  private scalar(s: core.Scalar, path: string, depth: number): PythonValue {
    const v = s.value;
    if (!v) return null;
    switch (v.$case) {
      case "primitive": {
        const p = v.value.value;
        if (!p) return null;
        switch (p.$case) {
          case "integer":
          case "floatValue":
          case "stringValue":
          case "boolean":
            return p.value;
          case "datetime":
            return isoformat(p.value.seconds, p.value.nanos);
          case "duration":
            return totalSeconds(p.value.seconds, p.value.nanos);
        }
        return null;
      }
      case "noneType":
        return null;
      case "error":
        return v.value.message;
      case "structuredDataset":
      case "schema":
      case "blob":
        return v.value.uri;
      case "binary":
        if (v.value.tag !== MSGPACK_TAG) return Buffer.from(v.value.value).toString("base64");
        try {
          return pythonJsonDumps(decodeMsgpack(v.value.value), { maxDepth: this.maxDepth });
        } catch (err) {
          throw new TaskInputError(`input ${path}: ${(err as Error).message}`);
        }
      case "generic":
        return this.json(v.value ?? {}, path, depth + 1);
      case "union":
        return v.value.value ? this.literal(v.value.value, path, depth + 1) : null;
    }
    return null;
  }

  /** A Struct's value: numbers are doubles (Python floats), as `MessageToDict` gives them. */
  private json(value: unknown, path: string, depth: number): PythonValue {
    this.count(path, depth);
    if (value === null || value === undefined) return null;
    if (typeof value === "number" || typeof value === "string" || typeof value === "boolean") return value;
    if (Array.isArray(value)) return value.map((x, i) => this.json(x, `${path}[${i}]`, depth + 1));
    if (typeof value === "object") {
      const out: { [key: string]: PythonValue } = {};
      for (const [k, x] of Object.entries(value)) setOwn(out, k, this.json(x, `${path}.${k}`, depth + 1));
      return out;
    }
    throw new TaskInputError(`input ${path} holds a value placeholders cannot read`);
  }
}

/** `datetime.isoformat()` of the UTC datetime flytekit makes of a Timestamp (microseconds kept). */
function isoformat(seconds: bigint, nanos: number): string {
  const micros = Math.trunc(nanos / 1000);
  const date = new Date(Number(seconds) * 1000);
  if (Number.isNaN(date.getTime())) return `${seconds}s`;
  const base = date.toISOString().slice(0, 19);
  return `${base}${micros === 0 ? "" : `.${String(micros).padStart(6, "0")}`}+00:00`;
}

/** `timedelta.total_seconds()` of a Duration (microseconds kept, as Python's timedelta). */
function totalSeconds(seconds: bigint, nanos: number): number {
  const micros = Math.trunc(nanos / 1000);
  return (Number(seconds) * 1e6 + micros) / 1e6;
}
