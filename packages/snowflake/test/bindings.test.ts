import { TaskInputError, DurationValue, toLiteralMap, type flyteidl, type PlainValue } from "@flyte-agent/core";
import { simpleType } from "@flyte-agent/testing";
import { bindStatement } from "../src/bindings";

function bind(
  sql: string,
  values: { [name: string]: PlainValue },
  types: Record<string, flyteidl.core.LiteralType> = {},
  chosen = {},
) {
  const variables: flyteidl.core.VariableMap = { variables: {} };
  for (const [name, type] of Object.entries(types)) variables.variables[name] = { type, description: "" };
  return bindStatement(sql, toLiteralMap(values, variables), variables, chosen);
}

function inputError(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof TaskInputError) return err.message;
    throw err;
  }
  throw new Error("expected a TaskInputError");
}

test("every Flyte scalar type becomes a typed binding; values never enter the SQL text", () => {
  const at = new Date("2024-03-05T06:07:08.123Z");
  const bound = bind(
    "SELECT * FROM t WHERE id = %(id)s AND score > %(score)s AND name = %(name)s AND ok = %(ok)s AND at < %(at)s AND d < %(d)s",
    { id: 9007199254740993n, score: 0.25, name: "O'Brien; DROP TABLE t", ok: true, at, d: DurationValue.fromMillis(90_000) },
    {
      id: simpleType("integer"),
      score: simpleType("float"),
      name: simpleType("string"),
      ok: simpleType("boolean"),
      at: simpleType("datetime"),
      d: simpleType("duration"),
    },
  );
  expect(bound.statement).toBe("SELECT * FROM t WHERE id = ? AND score > ? AND name = ? AND ok = ? AND at < ? AND d < ?");
  expect(bound.bindings).toEqual({
    "1": { type: "FIXED", value: "9007199254740993" },
    "2": { type: "REAL", value: "0.25" },
    "3": { type: "TEXT", value: "O'Brien; DROP TABLE t" },
    "4": { type: "BOOLEAN", value: "true" },
    "5": { type: "TIMESTAMP_NTZ", value: "1709618828123000000" },
    "6": { type: "TIME", value: "90000000000" },
  });
});

test("a datetime binds as DATE (the milliseconds of its UTC day) or TIMESTAMP_LTZ when parameter_type says so", () => {
  const types = { day: simpleType("datetime"), at: simpleType("datetime") };
  const values = { day: new Date("2024-03-05T23:59:59Z"), at: new Date("1969-12-31T23:59:59Z") };
  const bound = bind("SELECT %(day)s, %(at)s", values, types, { day: "date", at: "TIMESTAMP_LTZ" });
  expect(bound.bindings).toEqual({
    "1": { type: "DATE", value: String(Date.UTC(2024, 2, 5)) },
    "2": { type: "TIMESTAMP_LTZ", value: "-1000000000" },
  });
  const before = bind(
    "SELECT %(day)s",
    { day: new Date("1969-12-31T12:00:00Z") },
    { day: simpleType("datetime") },
    { day: "DATE" },
  );
  expect(before.bindings["1"]).toEqual({ type: "DATE", value: String(-86_400_000) });
});

test("a placeholder used twice binds twice; %% is a literal percent when the task has inputs", () => {
  const bound = bind("SELECT %(x)s + %(x)s WHERE name LIKE 'a%%'", { x: 1n }, { x: simpleType("integer") });
  expect(bound.statement).toBe("SELECT ? + ? WHERE name LIKE 'a%'");
  expect(Object.keys(bound.bindings)).toEqual(["1", "2"]);
  expect(bind("SELECT 'a%%'", {}).statement).toBe("SELECT 'a%%'");
});

test("None binds as a typed NULL from the declared type, through optional unions", () => {
  const optionalInt: flyteidl.core.LiteralType = {
    type: { $case: "unionType", value: { variants: [simpleType("integer"), simpleType("none")] } },
  };
  const bound = bind("SELECT %(n)s", { n: null }, { n: optionalInt });
  expect(bound.bindings).toEqual({ "1": { type: "FIXED", value: null } });
});

test("floats keep NaN and infinities in Snowflake's spelling", () => {
  const bound = bind(
    "SELECT %(a)s, %(b)s",
    { a: Number.NaN, b: Number.NEGATIVE_INFINITY },
    { a: simpleType("float"), b: simpleType("float") },
  );
  expect(bound.bindings).toEqual({ "1": { type: "REAL", value: "NaN" }, "2": { type: "REAL", value: "-inf" } });
});

test("inputs that cannot be bound are refused naming the input and its type", () => {
  const cases: Array<[{ [name: string]: PlainValue }, Record<string, flyteidl.core.LiteralType>, string]> = [
    [
      { blob: new Uint8Array([1]) },
      { blob: simpleType("binary") },
      'input "blob" (binary) cannot be bound in Snowflake: binary values are not supported',
    ],
    [
      { xs: [1n, 2n] },
      {},
      'input "xs" (value) cannot be bound in Snowflake: lists cannot be bind variables (one value per placeholder)',
    ],
    [
      { long: DurationValue.fromMillis(25 * 3_600_000) },
      { long: simpleType("duration") },
      'input "long" (duration) cannot be bound in Snowflake: a duration binds as TIME, which holds 0 to 24 hours (pass seconds as a number instead)',
    ],
    [
      { n: null },
      {},
      'input "n" (value) cannot be bound in Snowflake: it is None and the task interface declares no scalar type for it',
    ],
  ];
  for (const [values, types, message] of cases) {
    const name = Object.keys(values)[0]!;
    expect(inputError(() => bind(`SELECT %(${name})s`, values, types))).toBe(message);
  }
  expect(inputError(() => bind("SELECT %(n)s", { n: 1n }, { n: simpleType("integer") }, { n: "DATE" }))).toBe(
    'input "n" (integer) cannot be bound in Snowflake: parameter_type DATE applies to datetimes only',
  );
  expect(
    inputError(() => bind("SELECT %(at)s", { at: new Date(0) }, { at: simpleType("datetime") }, { at: "TIMESTAMP_TZ" })),
  ).toMatch(
    /input "at" \(datetime\) cannot be bound in Snowflake: parameter_type TIMESTAMP_TZ is not one of TIMESTAMP_NTZ, TIMESTAMP_LTZ, DATE/,
  );
});

test("a placeholder naming no input, or a parameter_type for no input, is refused", () => {
  expect(inputError(() => bind("SELECT %(missing)s", { x: 1n }))).toBe(
    'the statement uses %(missing)s, but the task has no input "missing" (inputs: x)',
  );
  expect(inputError(() => bind("SELECT 1", {}, {}, { ghost: "DATE" }))).toBe(
    'parameter_type.ghost names "ghost", which is not an input of this task',
  );
});
