import { type flyteidl, TaskInputError } from "@flyte-agent/core";
import { type AccountIdentifier, parseAccount } from "./account";

/** What a `snowflake` task asks for: where to run which statement. */
export interface SnowflakeTaskConfig {
  readonly account: AccountIdentifier;
  readonly user: string;
  readonly database: string;
  readonly schema: string;
  readonly warehouse: string;
  /** Role to run as; the user's default role when unset. */
  readonly role?: string;
  /** Statement timeout in seconds (0 = Snowflake's maximum); Snowflake's STATEMENT_TIMEOUT_IN_SECONDS when unset. */
  readonly timeoutSeconds?: number;
  /** The SQL text with `%(name)s` placeholders. */
  readonly statement: string;
  /** Snowflake type chosen per input (`parameter_type.<input>` config keys). */
  readonly parameterTypes: Readonly<Record<string, string>>;
}

const REQUIRED = ["account", "user", "database", "warehouse"] as const;
/** Every key of `custom` the agent reads (flyte-sdk writes the connection fields there). */
export const SNOWFLAKE_CUSTOM_KEYS = [...REQUIRED, "schema", "role", "timeout", "parameter_types"] as const;
/** 1 to 255 characters, none of them a control character. */
function isPrintable(value: string): boolean {
  return (
    value.length >= 1 && value.length <= 255 && ![...value].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f)
  );
}
const PARAMETER_TYPE_PREFIX = "parameter_type.";

/**
 * Reads the task template as the Python SDKs write it: the connection fields from the string
 * `config` map (flytekit), or from `custom` (flyte-sdk), and the statement from `sql.statement`.
 * A missing or malformed field is a {@link TaskInputError} naming it.
 */
export function readTaskConfig(template: flyteidl.core.TaskTemplate): SnowflakeTaskConfig {
  const custom: unknown = template.custom;
  const fromCustom =
    typeof custom === "object" && custom !== null && !Array.isArray(custom) ? (custom as Record<string, unknown>) : {};
  const config = template.config ?? {};
  const field = (name: string): string | undefined => {
    const inConfig = config[name] !== undefined && config[name] !== "";
    const raw = inConfig ? config[name] : fromCustom[name];
    const where = `${inConfig ? "config" : "custom"}.${name}`;
    if (raw === undefined || raw === null || raw === "") return undefined;
    if (typeof raw !== "string") throw new TaskInputError(`${where} must be a string, got ${typeof raw}`);
    const value = raw.trim();
    if (!isPrintable(value)) throw new TaskInputError(`${where} must be 1 to 255 printable characters`);
    return value;
  };
  const missing = REQUIRED.filter((name) => field(name) === undefined);
  if (missing.length > 0) {
    throw new TaskInputError(
      `the snowflake task config is missing ${missing.map((m) => `"${m}"`).join(", ")} (set them in SnowflakeConfig: account, user, database, schema, warehouse)`,
    );
  }
  let account: AccountIdentifier;
  try {
    account = parseAccount(field("account")!);
  } catch (err) {
    throw new TaskInputError(`config.account ${(err as Error).message}`);
  }
  const user = field("user")!;
  if (user.includes(".")) {
    // The JWT subject is ACCOUNT.USER; a dot would make it ambiguous.
    throw new TaskInputError(`config.user "${user}" contains "."; Snowflake key-pair JWTs cannot name such a user`);
  }
  const target = template.target;
  const statement = target?.$case === "sql" ? target.value.statement : "";
  if (statement.trim() === "") {
    throw new TaskInputError("the task has no SQL statement: sql.statement (the query template) is empty");
  }
  return {
    account,
    user,
    database: field("database")!,
    schema: field("schema") ?? "PUBLIC",
    warehouse: field("warehouse")!,
    role: field("role"),
    timeoutSeconds: timeoutOf(field("timeout")),
    statement,
    parameterTypes: parameterTypes(config, fromCustom),
  };
}

function timeoutOf(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d{1,6}$/.test(text) || Number(text) > 604_800) {
    throw new TaskInputError(`config.timeout must be whole seconds from 0 to 604800, got "${text}"`);
  }
  return Number(text);
}

function parameterTypes(config: Record<string, string>, custom: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(config)) {
    if (key.startsWith(PARAMETER_TYPE_PREFIX)) out[key.slice(PARAMETER_TYPE_PREFIX.length)] = value;
  }
  const fromCustom = custom.parameter_types;
  if (fromCustom !== undefined && fromCustom !== null) {
    if (typeof fromCustom !== "object" || Array.isArray(fromCustom)) {
      throw new TaskInputError("custom.parameter_types must be an object of input name to Snowflake type");
    }
    for (const [key, value] of Object.entries(fromCustom)) {
      if (typeof value !== "string") throw new TaskInputError(`custom.parameter_types.${key} must be a string`);
      out[key] ??= value;
    }
  }
  return out;
}

/** True when the task declares outputs (SUCCEEDED then returns `results`). */
export function declaresOutputs(template: flyteidl.core.TaskTemplate): boolean {
  return Object.keys(template.interface?.outputs?.variables ?? {}).length > 0;
}
