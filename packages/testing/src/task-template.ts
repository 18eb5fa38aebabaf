import { flyteidl } from "@flyte-agent/core";

type TaskTemplate = flyteidl.core.TaskTemplate;
type LiteralType = flyteidl.core.LiteralType;

/** Simple type names accepted by {@link taskTemplate}'s `inputs`/`outputs`. */
export type SimpleTypeName = "none" | "integer" | "float" | "string" | "boolean" | "datetime" | "duration" | "binary" | "struct";

/** A JSON value, as carried by the template's `custom` struct. */
export type CustomValue = string | number | boolean | null | CustomValue[] | { [key: string]: CustomValue };

/** Options of {@link taskTemplate}. */
export interface TaskTemplateOptions {
  /** The task type (category name), e.g. `custom_task`. */
  type: string;
  /** The task type version (category version). @default 0 */
  version?: number;
  /** The plugin-specific `custom` struct. @default {} */
  custom?: { [key: string]: CustomValue };
  /** A SQL statement (sets the `sql` target, dialect ANSI). */
  sql?: string;
  /** A container target (mutually exclusive with `sql`). */
  container?: { image: string; command?: string[]; args?: string[]; env?: Record<string, string> };
  /** Input variables by name: a simple type name or a full LiteralType. @default {} */
  inputs?: Record<string, SimpleTypeName | LiteralType>;
  /** Output variables by name: a simple type name or a full LiteralType. @default {} */
  outputs?: Record<string, SimpleTypeName | LiteralType>;
  /** The template's string `config` map. @default {} */
  config?: Record<string, string>;
  /** Secrets the task requests (`security_context.secrets`): group/key pairs. @default none */
  secrets?: Array<{ group: string; key?: string }>;
  /** Task name in the template id. @default "test.task" */
  name?: string;
}

const SIMPLE: Record<SimpleTypeName, flyteidl.core.SimpleType> = {
  none: flyteidl.core.SimpleType.NONE,
  integer: flyteidl.core.SimpleType.INTEGER,
  float: flyteidl.core.SimpleType.FLOAT,
  string: flyteidl.core.SimpleType.STRING,
  boolean: flyteidl.core.SimpleType.BOOLEAN,
  datetime: flyteidl.core.SimpleType.DATETIME,
  duration: flyteidl.core.SimpleType.DURATION,
  binary: flyteidl.core.SimpleType.BINARY,
  struct: flyteidl.core.SimpleType.STRUCT,
};

/** A LiteralType for a simple type name. */
export function simpleType(name: SimpleTypeName): LiteralType {
  return { type: { $case: "simple", value: SIMPLE[name] } };
}

function variables(spec: Record<string, SimpleTypeName | LiteralType> | undefined): flyteidl.core.VariableMap {
  const out: flyteidl.core.VariableMap = { variables: {} };
  for (const [name, type] of Object.entries(spec ?? {})) {
    out.variables[name] = { type: typeof type === "string" ? simpleType(type) : type, description: "" };
  }
  return out;
}

function target(options: TaskTemplateOptions): TaskTemplate["target"] {
  if (options.sql !== undefined && options.container) throw new TypeError("taskTemplate: give either sql or container, not both");
  if (options.sql !== undefined) {
    return { $case: "sql", value: { statement: options.sql, dialect: flyteidl.core.Sql_Dialect.ANSI } };
  }
  if (options.container) {
    const c = options.container;
    return {
      $case: "container",
      value: {
        image: c.image,
        command: c.command ?? [],
        args: c.args ?? [],
        env: Object.entries(c.env ?? {}).map(([key, value]) => ({ key, value })),
        config: [],
        ports: [],
        architecture: flyteidl.core.Container_Architecture.UNKNOWN,
      },
    };
  }
  return undefined;
}

/**
 * Builds a flyteidl TaskTemplate the way flytekit would send it, for tests.
 *
 * @example
 *   taskTemplate({ type: "custom_task", custom: { durationSeconds: 0.2 }, inputs: { x: "integer" } })
 */
export function taskTemplate(options: TaskTemplateOptions): TaskTemplate {
  const secrets = options.secrets ?? [];
  return {
    id: {
      resourceType: flyteidl.core.ResourceType.TASK,
      project: "flytesnacks",
      domain: "development",
      name: options.name ?? "test.task",
      version: "v1",
      org: "",
    },
    type: options.type,
    taskTypeVersion: options.version ?? 0,
    custom: options.custom ?? {},
    interface: { inputs: variables(options.inputs), outputs: variables(options.outputs) },
    target: target(options),
    config: { ...options.config },
    securityContext:
      secrets.length > 0
        ? {
            secrets: secrets.map((s) => ({
              group: s.group,
              key: s.key ?? "",
              groupVersion: "",
              mountRequirement: flyteidl.core.Secret_MountType.ANY,
              envVar: "",
            })),
            tokens: [],
          }
        : undefined,
  };
}
