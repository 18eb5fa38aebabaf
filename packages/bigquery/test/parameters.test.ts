import { DurationValue, type flyteidl, TaskInputError, toLiteralMap } from "@flyte-agent/core";
import { simpleType } from "@flyte-agent/testing";
import { toQueryParameters } from "../src/parameters";

const listOf = (type: flyteidl.core.LiteralType): flyteidl.core.LiteralType => ({
  type: { $case: "collectionType", value: type },
});
const vars = (types: Record<string, flyteidl.core.LiteralType>): flyteidl.core.VariableMap => ({
  variables: Object.fromEntries(Object.entries(types).map(([k, type]) => [k, { type, description: "" }])),
});

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error("did not throw");
}

test("int64 extremes stay exact", () => {
  const [min, max] = toQueryParameters(toLiteralMap({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), undefined);
  expect(min!.parameterValue.value).toBe("-9223372036854775808");
  expect(max!.parameterValue.value).toBe("9223372036854775807");
});

test("floats keep their value; non-finite floats use BigQuery's spelling", () => {
  const params = toQueryParameters(toLiteralMap({ a: 1.5e300, b: Number.NaN, c: Number.NEGATIVE_INFINITY, d: 0.1 }), undefined);
  expect(params.map((p) => p.parameterValue.value)).toEqual(["1.5e+300", "NaN", "-Infinity", "0.1"]);
  expect(params.every((p) => p.parameterType.type === "FLOAT64")).toBe(true);
});

test("ParameterTypes turns a datetime into a DATE or DATETIME, and a string into a DATE", () => {
  const inputs = toLiteralMap({ d: new Date("2024-03-01T00:00:00Z"), dt: new Date("2024-03-01T08:09:10.5Z"), s: "2024-03-01" });
  const params = toQueryParameters(inputs, undefined, { d: "date", dt: "DATETIME", s: "DATE" });
  expect(params).toEqual([
    { name: "d", parameterType: { type: "DATE" }, parameterValue: { value: "2024-03-01" } },
    { name: "dt", parameterType: { type: "DATETIME" }, parameterValue: { value: "2024-03-01 08:09:10.500000" } },
    { name: "s", parameterType: { type: "DATE" }, parameterValue: { value: "2024-03-01" } },
  ]);
});

test("ParameterTypes applies to list elements; an empty list takes its declared element type", () => {
  const inputs = toLiteralMap({ days: [new Date("2024-01-01T00:00:00Z")], none: [] });
  const params = toQueryParameters(inputs, vars({ days: listOf(simpleType("datetime")), none: listOf(simpleType("float")) }), {
    days: "DATE",
  });
  expect(params[0]!.parameterType).toEqual({ type: "ARRAY", arrayType: { type: "DATE" } });
  expect(params[0]!.parameterValue).toEqual({ arrayValues: [{ value: "2024-01-01" }] });
  expect(params[1]).toEqual({
    name: "none",
    parameterType: { type: "ARRAY", arrayType: { type: "FLOAT64" } },
    parameterValue: { arrayValues: [] },
  });
});

test("a struct becomes a JSON parameter", () => {
  const literal: flyteidl.core.Literal = {
    value: { $case: "scalar", value: { value: { $case: "generic", value: { a: 1, b: ["x"] } } } },
    hash: "",
    metadata: {},
  };
  const [p] = toQueryParameters({ literals: { payload: literal } }, undefined);
  expect(p).toEqual({ name: "payload", parameterType: { type: "JSON" }, parameterValue: { value: '{"a":1,"b":["x"]}' } });
});

test.each([
  [
    "a list of lists",
    { m: [[1n]] },
    undefined,
    'input "m" (list) cannot be a BigQuery query parameter: BigQuery has no ARRAY of ARRAY',
  ],
  [
    "a None without a declared type",
    { m: null },
    undefined,
    'input "m" (noneType) cannot be a BigQuery query parameter: None, and the task interface declares no type for it',
  ],
  ["an empty list without a declared type", { m: [] }, undefined, "an empty list whose element type is not declared"],
  [
    "a list holding None",
    { m: [1n, null] },
    vars({ m: listOf(simpleType("integer")) }),
    'input "m" (list<integer>) cannot be a BigQuery query parameter: BigQuery arrays cannot hold NULL',
  ],
  [
    "a datetime past year 9999",
    { m: new Date("+010000-01-01T00:00:00Z") },
    vars({ m: simpleType("datetime") }),
    "outside BigQuery's range",
  ],
  [
    "a duration",
    { m: new DurationValue(5n) },
    vars({ m: simpleType("duration") }),
    'input "m" (duration) cannot be a BigQuery query parameter: durations are not supported',
  ],
])("%s is INVALID_ARGUMENT", (_, values, declared, message) => {
  const err = thrown(() => toQueryParameters(toLiteralMap(values as never), declared));
  expect(err).toBeInstanceOf(TaskInputError);
  expect(err.message).toContain(message);
});

test("ParameterTypes that does not fit the value, or names no input, is INVALID_ARGUMENT", () => {
  let err = thrown(() => toQueryParameters(toLiteralMap({ flag: true }), undefined, { flag: "INT64" }));
  expect(err.message).toBe(
    'input "flag" (boolean) cannot be a BigQuery query parameter: ParameterTypes asks for INT64, but a BOOL value can only be BOOL',
  );
  err = thrown(() => toQueryParameters(toLiteralMap({ flag: true }), undefined, { flg: "BOOL" }));
  expect(err.message).toBe('ParameterTypes names "flg", which is not an input of this task');
});

test("an Optional input holding a value is unwrapped from its union", () => {
  const optionalInt: flyteidl.core.LiteralType = {
    type: { $case: "unionType", value: { variants: [simpleType("integer"), simpleType("none")] } },
  };
  const [p] = toQueryParameters(toLiteralMap({ n: 7n }, vars({ n: optionalInt })), vars({ n: optionalInt }));
  expect(p).toEqual({ name: "n", parameterType: { type: "INT64" }, parameterValue: { value: "7" } });
});
