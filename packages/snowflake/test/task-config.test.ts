import { TaskInputError } from "@flyte-agent/core";
import { readTaskConfig } from "../src/task-config";
import { snowflakeTemplate } from "./helpers";

function inputError(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof TaskInputError) return err.message;
    throw err;
  }
  throw new Error("expected a TaskInputError");
}

test("config fields, optional role and timeout, and parameter types are read from the template", () => {
  const config = readTaskConfig(
    snowflakeTemplate("SELECT %(d)s", { config: { role: "ANALYST", timeout: "0", "parameter_type.d": "DATE" } }),
  );
  expect(config).toMatchObject({
    user: "flyte_runner",
    database: "ANALYTICS",
    schema: "PUBLIC",
    warehouse: "COMPUTE_WH",
    role: "ANALYST",
    timeoutSeconds: 0,
    statement: "SELECT %(d)s",
    parameterTypes: { d: "DATE" },
  });
  expect(config.account.jwtAccount).toBe("MYORG-ANALYTICS");
});

test.each([
  [{ timeout: "1h" }, 'config.timeout must be whole seconds from 0 to 604800, got "1h"'],
  [{ timeout: "604801" }, 'config.timeout must be whole seconds from 0 to 604800, got "604801"'],
  [{ user: "first.last" }, 'config.user "first.last" contains "."; Snowflake key-pair JWTs cannot name such a user'],
  [{ warehouse: "WH\nDROP" }, "config.warehouse must be 1 to 255 printable characters"],
  [
    { database: "" },
    'the snowflake task config is missing "database" (set them in SnowflakeConfig: account, user, database, schema, warehouse)',
  ],
])("%j is refused naming the field", (config, message) => {
  expect(inputError(() => readTaskConfig(snowflakeTemplate("SELECT 1", { config })))).toBe(message);
});

test("custom fields of the wrong type are refused naming them", () => {
  const template = snowflakeTemplate("SELECT 1", { config: { account: "" } });
  template.custom = { account: 42 };
  expect(inputError(() => readTaskConfig(template))).toBe("custom.account must be a string, got number");
  const withTypes = snowflakeTemplate();
  withTypes.custom = { parameter_types: ["DATE"] };
  expect(inputError(() => readTaskConfig(withTypes))).toBe(
    "custom.parameter_types must be an object of input name to Snowflake type",
  );
});
