import type { core } from "@flyte-agent/flyteidl";
import { clipClientValue } from "./bounded-text";
import { TaskInputError } from "./errors";
import { DEFAULT_PLACEHOLDER_DEPTH, placeholderInputs } from "./placeholder-inputs";
import { pythonStr, type PythonValue } from "./python-text";
import { setOwn } from "./own-property";

/** What {@link renderPlaceholders} fills placeholders from, and its limits. */
export interface RenderPlaceholdersOptions {
  /** The task's inputs (`ctx.inputs`), read as flytekit's `literal_map_string_repr` reads them. */
  readonly inputs?: core.LiteralMap;
  /** Image names to URIs, for `{images.<name>}`. */
  readonly images?: { readonly [name: string]: string };
  /** Replaces `{idempotence_token}` when set (and not empty). */
  readonly idempotenceToken?: string;
  /**
   * The service the value is for, as flytekit passes it. `"sagemaker"`: a string that grows
   * past 63 characters by `{idempotence_token}` or `{inputs.idempotence_token}` gets the token
   * cut so that the string is exactly 63 characters (SageMaker's limit on names).
   */
  readonly service?: string;
  /** What the value is called in error messages. @default "custom" */
  readonly label?: string;
  /** Deepest nesting of the value (and of inputs) walked. @default 32 */
  readonly maxDepth?: number;
  /** Most strings, lists, dicts and leaves walked in the value. @default 10000 */
  readonly maxNodes?: number;
  /** Longest string a placeholder may produce, in UTF-16 code units. @default 1048576 */
  readonly maxStringLength?: number;
}

/** Default of {@link RenderPlaceholdersOptions.maxNodes}. */
export const DEFAULT_PLACEHOLDER_NODES = 10_000;
/** Default of {@link RenderPlaceholdersOptions.maxStringLength}. */
export const DEFAULT_PLACEHOLDER_STRING_LENGTH = 1024 * 1024;
/** SageMaker's limit on the length of a name, kept by the `"sagemaker"` service rule. */
export const SAGEMAKER_NAME_LIMIT = 63;

const PLACEHOLDER = /\{([^}]+)\}/g;
const TOKEN_PLACEHOLDERS = new Set(["idempotence_token", "inputs.idempotence_token"]);

/**
 * Renders flytekit placeholders in a value (nested objects, arrays and strings), as flytekit's
 * `format_dict` does for the SageMaker, boto and webhook connectors:
 *
 * - In a string, each `{a.b.c}` is looked up by its dotted path in `{ inputs, images }`; a missing
 *   key is a {@link TaskInputError} (INVALID_ARGUMENT) naming the placeholder, where it is and the
 *   keys there are.
 * - A string that is exactly one placeholder becomes the value itself (any type: an int input is
 *   a `bigint`, a float a `number`, a list an array; see {@link placeholderInputs}).
 * - Otherwise the value's Python `str()` text ({@link pythonStr}) is spliced in: `1.0`, `True`,
 *   `None`, `{'a': 1}`.
 * - Placeholders without a dot are left as they are, except `{idempotence_token}` when
 *   `idempotenceToken` is given.
 * - Other values (numbers, booleans, null) are kept.
 *
 * Returns a new value; `value` is not changed. Bounded: depth, node count and the length of each
 * string produced (each a TaskInputError when exceeded).
 */
export function renderPlaceholders(value: PythonValue, options: RenderPlaceholdersOptions = {}): PythonValue {
  return new PlaceholderRenderer(options).render(value, options.label ?? "custom", 0);
}

class PlaceholderRenderer {
  private nodes = 0;
  private values?: { [key: string]: PythonValue };
  private readonly maxDepth: number;
  private readonly maxNodes: number;
  private readonly maxLength: number;

  constructor(private readonly options: RenderPlaceholdersOptions) {
    this.maxDepth = options.maxDepth ?? DEFAULT_PLACEHOLDER_DEPTH;
    this.maxNodes = options.maxNodes ?? DEFAULT_PLACEHOLDER_NODES;
    this.maxLength = options.maxStringLength ?? DEFAULT_PLACEHOLDER_STRING_LENGTH;
  }

  render(value: PythonValue, path: string, depth: number): PythonValue {
    if (++this.nodes > this.maxNodes) throw new TaskInputError(`${path}: more than ${this.maxNodes} values to render`);
    if (depth > this.maxDepth) throw new TaskInputError(`${path}: nested deeper than ${this.maxDepth} levels`);
    if (typeof value === "string") return this.renderString(value, path);
    if (Array.isArray(value)) return value.map((v: PythonValue, i) => this.render(v, `${path}[${i}]`, depth + 1));
    if (isPlainObject(value)) {
      const out: { [key: string]: PythonValue } = {};
      for (const [k, v] of Object.entries(value)) setOwn(out, k, this.render(v, `${path}.${k}`, depth + 1));
      return out;
    }
    return value;
  }

  /** The lookup table: `{ inputs, images }`, read once, on the first dotted placeholder. */
  private lookupRoot(): { [key: string]: PythonValue } {
    if (!this.values) {
      const inputs = placeholderInputs(this.options.inputs, { maxDepth: this.maxDepth });
      this.values = { inputs };
      if (this.options.images) this.values.images = { ...this.options.images };
    }
    return this.values;
  }

  private renderString(text: string, path: string): PythonValue {
    if (!text.includes("{") || !text.includes("}")) return text;
    const matches = Array.from(text.matchAll(PLACEHOLDER), (m) => m[1] as string);
    let current = text;
    for (const match of matches) {
      if (match.includes(".")) {
        const found = this.lookup(match, path);
        if (current === `{${match}}`) return found;
        current = this.replace(current, match, pythonStr(found), path);
      } else if (match === "idempotence_token" && this.options.idempotenceToken) {
        current = this.replace(current, match, this.options.idempotenceToken, path);
      }
    }
    return current;
  }

  private lookup(match: string, path: string): PythonValue {
    const keys = match.split(".");
    let at: PythonValue = this.lookupRoot();
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string;
      if (!isPlainObject(at) || !Object.hasOwn(at, key)) {
        const where = i === 0 ? "the placeholder values" : keys.slice(0, i).join(".");
        throw new TaskInputError(
          `${path}: placeholder {${clipClientValue(match)}} names no key "${clipClientValue(key)}" in ${where}${describeKeys(at)}`,
        );
      }
      at = at[key] as PythonValue;
    }
    return at;
  }

  /** Python's `str.replace` of every `{placeholder}`, with the SageMaker name rule. */
  private replace(text: string, placeholder: string, replacement: string, path: string): string {
    const marker = `{${placeholder}}`;
    const parts = text.split(marker);
    let token = replacement;
    if (this.options.service === "sagemaker" && TOKEN_PLACEHOLDERS.has(placeholder)) {
      const rest = codePoints(parts.join(""));
      const whole = rest + (parts.length - 1) * codePoints(replacement);
      if (whole > SAGEMAKER_NAME_LIMIT)
        token = Array.from(replacement)
          .slice(0, Math.max(0, SAGEMAKER_NAME_LIMIT - rest))
          .join("");
    }
    const length = text.length + (parts.length - 1) * (token.length - marker.length);
    if (length > this.maxLength) {
      throw new TaskInputError(
        `${path}: placeholder {${clipClientValue(placeholder)}} makes a string of ${length} characters, over the limit of ${this.maxLength}`,
      );
    }
    return parts.join(token);
  }
}

function codePoints(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

function describeKeys(at: PythonValue): string {
  if (typeof at === "string") return " (it is text: a dict input is given as its JSON text, as flytekit gives it)";
  if (!isPlainObject(at)) return ` (it is ${at === null ? "None" : Array.isArray(at) ? "a list" : `a ${typeof at}`}, not a dict)`;
  const keys = Object.keys(at);
  if (keys.length === 0) return " (it has no keys)";
  const shown = keys.slice(0, 20).map((k) => clipClientValue(k));
  return ` (keys: ${shown.join(", ")}${keys.length > shown.length ? ", ..." : ""})`;
}

function isPlainObject(value: unknown): value is { [key: string]: PythonValue } {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
