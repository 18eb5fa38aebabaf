import { closestName } from "./closest-name";

/**
 * Declared `custom` keys: each agent may list the keys of `template.custom` it reads, so that a
 * typo in a task file is caught (`flyte-agent run` refuses it, `serve` logs it) instead of the
 * agent silently using a default.
 *
 * An agent declares them as a class field:
 *
 * ```ts
 * readonly customKeys = ["durationSeconds", "fail"] as const;
 * ```
 *
 * Each entry is a top-level key of `custom`, whose value may be anything. A dotted entry
 * (`"spark.conf"`) declares a key of a nested object: once an agent declares one key under
 * `spark`, the object at `custom.spark` is checked too and may hold only the declared keys.
 * `"spark.*"` declares `spark` as an object with keys of any name whose values are checked
 * against the entries under `spark.*.` (for maps of records). An agent that declares nothing is
 * not checked.
 *
 * The field is not a member of the agent base classes (a subclass would then have to write
 * `override`); {@link declaredCustomKeys} reads it from any agent.
 */
export interface DeclaresCustomKeys {
  /** The keys of `template.custom` this agent reads (see the module documentation for nesting). */
  readonly customKeys?: readonly string[];
}

/** One key of a task's `custom` that its agent does not declare. */
export interface UnknownCustomKey {
  /** Where it is, e.g. `custom.durationSecond` or `custom.spark.confs`. */
  readonly path: string;
  /** The closest declared key at the same level, if one is close. */
  readonly suggestion?: string;
}

/** The agent's declared `custom` keys, or `undefined` when it declares none (or not a list of strings). */
export function declaredCustomKeys(agent: object): readonly string[] | undefined {
  const keys: unknown = (agent as DeclaresCustomKeys).customKeys;
  if (!Array.isArray(keys) || !keys.every((k) => typeof k === "string")) return undefined;
  return keys as readonly string[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Most keys reported for one task: a task file is read by a person, who fixes the first few. */
const MAX_REPORTED = 20;

function check(value: Record<string, unknown>, declared: readonly string[], prefix: string, out: UnknownCustomKey[]): void {
  const level = new Map<string, string[]>();
  for (const entry of declared) {
    const dot = entry.indexOf(".");
    const head = dot < 0 ? entry : entry.slice(0, dot);
    const rest = level.get(head) ?? [];
    if (dot >= 0) rest.push(entry.slice(dot + 1));
    level.set(head, rest);
  }
  const wildcard = level.get("*");
  const known = [...level.keys()].filter((k) => k !== "*");
  for (const [key, child] of Object.entries(value)) {
    if (out.length >= MAX_REPORTED) return;
    const nested = level.get(key) ?? wildcard;
    if (nested === undefined) {
      const suggestion = closestName(key, known);
      out.push(suggestion === undefined ? { path: `${prefix}.${key}` } : { path: `${prefix}.${key}`, suggestion });
      continue;
    }
    if (nested.length > 0 && isObject(child)) check(child, nested, `${prefix}.${key}`, out);
  }
}

/**
 * The keys of `custom` that `declared` does not list (see {@link DeclaresCustomKeys}); empty
 * when everything is declared, `custom` is not an object, or nothing is declared. At most 20 are
 * reported.
 */
export function unknownCustomKeys(custom: unknown, declared: readonly string[] | undefined): UnknownCustomKey[] {
  if (declared === undefined || !isObject(custom)) return [];
  const out: UnknownCustomKey[] = [];
  check(custom, declared, "custom", out);
  return out;
}

/** `custom.durationSecond (did you mean "durationSeconds"?)`, one per key, joined with "; ". */
export function describeUnknownCustomKeys(keys: readonly UnknownCustomKey[]): string {
  return keys.map((k) => (k.suggestion ? `${k.path} (did you mean "${k.suggestion}"?)` : k.path)).join("; ");
}
