import { fixtures } from "../test/python/python-fixtures";
import { TaskInputError } from "./errors";
import { flyteidl } from "./index";
import { placeholderInputs } from "./placeholder-inputs";
import { renderPlaceholders } from "./placeholders";
import { StatusCode } from "./status-code";

const { core } = flyteidl;
type Literal = flyteidl.core.Literal;
const lit = (scalar: object): Literal => core.Literal.fromPartial({ value: { $case: "scalar", value: scalar } } as never);
const prim = (value: object): Literal => lit({ value: { $case: "primitive", value: { value } } });
const list = (literals: Literal[]): Literal => core.Literal.fromPartial({ value: { $case: "collection", value: { literals } } });
const map = (literals: { [k: string]: Literal }): Literal =>
  core.Literal.fromPartial({ value: { $case: "map", value: { literals } } });

/** The dataclass an upstream flytekit task returned, as Python's msgpack wrote it. */
const dataclassHex = fixtures.msgpack.find((c) => c.name === "dataclass")?.hex ?? "";

const inputs = core.LiteralMap.fromPartial({
  literals: {
    n: prim({ $case: "integer", value: 3n }),
    x: prim({ $case: "floatValue", value: 1 }),
    name: prim({ $case: "stringValue", value: "it's" }),
    flag: prim({ $case: "boolean", value: true }),
    when: prim({ $case: "datetime", value: { seconds: 1767323045n, nanos: 678000000 } }),
    took: prim({ $case: "duration", value: { seconds: 90n, nanos: 500000000 } }),
    none: lit({ value: { $case: "noneType", value: {} } }),
    file: lit({
      value: { $case: "blob", value: { uri: "s3://bucket/key.csv", metadata: { type: { format: "csv", dimensionality: 0 } } } },
    }),
    cfg: lit({ value: { $case: "binary", value: { tag: "msgpack", value: Buffer.from(dataclassHex, "hex") } } }),
    old: lit({ value: { $case: "generic", value: { lr: 1, tags: ["a"] } } }),
    ids: list([prim({ $case: "integer", value: 1n }), prim({ $case: "integer", value: 2n })]),
    byName: map({ a: prim({ $case: "stringValue", value: "A" }) }),
    idempotence_token: prim({ $case: "stringValue", value: "t".repeat(40) }),
  },
});

function errorOf(fn: () => unknown): TaskInputError {
  try {
    fn();
  } catch (err) {
    if (err instanceof TaskInputError) return err;
    throw err;
  }
  throw new Error("expected a TaskInputError");
}

describe("placeholderInputs (flytekit's literal_map_string_repr)", () => {
  it("gives each kind of input as flytekit gives it to placeholders", () => {
    const v = placeholderInputs(inputs);
    expect(v.n).toBe(3n);
    expect(v.x).toBe(1);
    expect(v.when).toBe("2026-01-02T03:04:05.678000+00:00");
    expect(v.took).toBe(90.5);
    expect(v.none).toBeNull();
    expect(v.file).toBe("s3://bucket/key.csv");
    expect(v.cfg).toBe(fixtures.msgpack.find((c) => c.name === "dataclass")?.json);
    expect(v.old).toEqual({ lr: 1, tags: ["a"] });
    expect(v.ids).toEqual([1n, 2n]);
    expect(v.byName).toEqual({ a: "A" });
  });

  it("refuses inputs beyond its limits, naming where", () => {
    let deep: Literal = prim({ $case: "integer", value: 1n });
    for (let i = 0; i < 33; i++) deep = list([deep]);
    const deepMap = core.LiteralMap.fromPartial({ literals: { deep } });
    expect(errorOf(() => placeholderInputs(deepMap)).message).toMatch(/input deep\[0\].* nested deeper than 32 levels/);
    expect(() => placeholderInputs(deepMap, { maxDepth: 33 })).not.toThrow();
    expect(errorOf(() => placeholderInputs(inputs, { maxValues: 5 })).message).toMatch(/more than 5 values/);
  });
});

describe("renderPlaceholders (flytekit's format_dict)", () => {
  it("puts the raw value where a string is exactly one placeholder", () => {
    const out = renderPlaceholders(
      { n: "{inputs.n}", x: "{inputs.x}", ids: "{inputs.ids}", cfg: "{inputs.cfg}", a: "{inputs.byName.a}" },
      { inputs },
    );
    expect(out).toEqual({ n: 3n, x: 1, ids: [1n, 2n], cfg: fixtures.msgpack[0]?.json, a: "A" });
  });

  it("splices Python's str() text into longer strings", () => {
    const out = renderPlaceholders(
      [
        "n={inputs.n} x={inputs.x} flag={inputs.flag} none={inputs.none}",
        "ids={inputs.ids} old={inputs.old} map={inputs.byName}",
        "name={inputs.name}, when={inputs.when}, took={inputs.took}s, file={inputs.file}",
      ],
      { inputs },
    );
    expect(out).toEqual([
      "n=3 x=1.0 flag=True none=None",
      "ids=[1, 2] old={'lr': 1.0, 'tags': ['a']} map={'a': 'A'}",
      "name=it's, when=2026-01-02T03:04:05.678000+00:00, took=90.5s, file=s3://bucket/key.csv",
    ]);
  });

  it("leaves undotted placeholders and other values alone, except the idempotence token", () => {
    const value = { a: "{foo} and {idempotence_token}", b: 10, c: true, d: null, e: ["{bar}"], f: "no braces", g: "{ }" };
    expect(renderPlaceholders(value, { inputs })).toEqual(value);
    expect(renderPlaceholders(value, { inputs, idempotenceToken: "tok" })).toEqual({ ...value, a: "{foo} and tok" });
  });

  it("reads images", () => {
    const images = { primary: "123.dkr.ecr.us-east-2.amazonaws.com/model:1" };
    expect(renderPlaceholders({ Image: "{images.primary}" }, { images })).toEqual({ Image: images.primary });
    expect(errorOf(() => renderPlaceholders({ Image: "{images.primary}" })).message).toMatch(
      /no key "images" in the placeholder values \(keys: inputs\)/,
    );
  });

  it("keeps a __proto__ key as data", () => {
    const value = JSON.parse('{"__proto__": {"a": "{inputs.name}"}}');
    const out = renderPlaceholders(value, { inputs }) as { [key: string]: unknown };
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out)).toEqual(["__proto__"]);
    expect(JSON.stringify(out)).toBe('{"__proto__":{"a":"it\'s"}}');
  });

  it("does not change the value it is given", () => {
    const value = { url: "https://h/{inputs.n}", list: ["{inputs.x}"] };
    const copy = structuredClone(value);
    renderPlaceholders(value, { inputs });
    expect(value).toEqual(copy);
  });

  it("answers INVALID_ARGUMENT naming a missing key, where it is and what is there", () => {
    const err = errorOf(() => renderPlaceholders({ data: { q: "x={inputs.nme}" } }, { inputs }));
    expect(err.code).toBe(StatusCode.INVALID_ARGUMENT);
    expect(err.message).toMatch(
      /^custom\.data\.q: placeholder \{inputs\.nme\} names no key "nme" in inputs \(keys: n, x, name, /,
    );
    expect(errorOf(() => renderPlaceholders("{inputs.cfg.count}", { inputs, label: "config" })).message).toMatch(
      /^config: placeholder \{inputs.cfg.count\} names no key "count" in inputs.cfg \(it is text: a dict input is given as its JSON text/,
    );
    expect(errorOf(() => renderPlaceholders("{inputs.n.a}", { inputs })).message).toMatch(
      /in inputs.n \(it is a bigint, not a dict\)/,
    );
  });

  it("cuts the token so that a SageMaker name is exactly 63 characters", () => {
    const token = "0123456789abcdef".repeat(4); // 64 characters
    const name = "my-endpoint-config-{idempotence_token}";
    const cut = renderPlaceholders({ EndpointConfigName: name }, { service: "sagemaker", idempotenceToken: token }) as {
      EndpointConfigName: string;
    };
    expect(cut.EndpointConfigName).toBe(`my-endpoint-config-${token.slice(0, 63 - 19)}`);
    expect(cut.EndpointConfigName).toHaveLength(63);
    const fromInput = renderPlaceholders("m-{inputs.idempotence_token}", { service: "sagemaker", inputs }) as string;
    expect(fromInput).toBe(`m-${"t".repeat(40)}`); // short enough: whole
    const other = renderPlaceholders(name, { service: "boto", idempotenceToken: token }) as string;
    expect(other).toHaveLength(19 + 64); // other services: never cut
  });

  it("refuses values beyond its limits", () => {
    const wide = Array.from({ length: 10 }, () => "x");
    expect(() => renderPlaceholders(wide, { maxNodes: 11 })).not.toThrow();
    expect(errorOf(() => renderPlaceholders(wide, { maxNodes: 10 })).message).toMatch(/custom\[9\]: more than 10 values/);
    let deep: unknown = "leaf";
    for (let i = 0; i < 33; i++) deep = [deep];
    expect(errorOf(() => renderPlaceholders(deep as never)).message).toMatch(/nested deeper than 32 levels/);
    const text = "{inputs.cfg}!".repeat(4);
    const length = (fixtures.msgpack[0]?.json.length ?? 0) * 4 + 4;
    expect(renderPlaceholders(text, { inputs, maxStringLength: length })).toHaveLength(length);
    expect(errorOf(() => renderPlaceholders(text, { inputs, maxStringLength: length - 1 })).message).toMatch(
      new RegExp(`makes a string of ${length} characters, over the limit of ${length - 1}`),
    );
  });
});
