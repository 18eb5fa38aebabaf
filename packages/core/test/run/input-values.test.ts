import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { DurationValue, flyteidl, fromLiteralMap, toLiteralMap } from "../../src";
import { loadInputsFile, parseInputFlags } from "../../src/runner/input-values";
import { toJsonOut } from "../../src/runner/output-json";
import { PollBackoff } from "../../src/runner/backoff";
import { routingTable } from "../../src/runner/agent-kind";
import { tempDir } from "./helpers/cli";

const S = flyteidl.core.SimpleType;
const simple = (value: flyteidl.core.SimpleType): flyteidl.core.LiteralType =>
  flyteidl.core.LiteralType.fromPartial({ type: { $case: "simple", value } });
const listOf = (inner: flyteidl.core.LiteralType): flyteidl.core.LiteralType =>
  flyteidl.core.LiteralType.fromPartial({ type: { $case: "collectionType", value: inner } });

const template = flyteidl.core.TaskTemplate.fromPartial({
  type: "t",
  interface: {
    inputs: {
      variables: {
        s: { type: simple(S.STRING) },
        n: { type: simple(S.INTEGER) },
        wait: { type: simple(S.DURATION) },
        xs: { type: listOf(simple(S.INTEGER)) },
        cfg: { type: simple(S.STRUCT) },
      },
    },
  },
});

describe("--input name=value", () => {
  test("converts text by the declared type", () => {
    const values = parseInputFlags(
      ["s=[not json]", "n=9007199254740993", "wait=1m30s", "xs=[1,2]", 'cfg={"a":{"b":1}}'],
      template,
    );
    expect(values.s).toBe("[not json]");
    expect(values.wait).toEqual(new DurationValue(90n, 0));
    const literals = toLiteralMap(values, template.interface?.inputs);
    expect(fromLiteralMap(literals)).toEqual({
      s: "[not json]",
      n: 9007199254740993n,
      wait: new DurationValue(90n, 0),
      xs: [1n, 2n],
      cfg: { a: { b: 1 } },
    });
  });

  test("names the input when the text does not fit", () => {
    expect(() => parseInputFlags(["xs=1,2"], template)).toThrow('input "xs" (list<integer>): expected JSON, got "1,2"');
    expect(() => parseInputFlags(["wait=soon"], template)).toThrow(
      /^input "wait" \(duration\): the value must be a duration like 500ms, 10s/,
    );
    expect(() => parseInputFlags(["noequals"], template)).toThrow('--input expects name=value, got "noequals"');
    expect(() => parseInputFlags(["s=a", "s=b"], template)).toThrow('input "s" is given twice');
  });
});

describe("--inputs file", () => {
  test("plain values in JSON or YAML, a LiteralMap in JSON or protobuf binary", () => {
    const dir = tempDir();
    const json = join(dir, "in.json");
    writeFileSync(json, JSON.stringify({ s: "x", wait: "2s", xs: [3] }));
    expect(loadInputsFile(json, template).values).toEqual({ s: "x", wait: new DurationValue(2n, 0), xs: [3] });
    const yaml = join(dir, "in.yaml");
    writeFileSync(yaml, "s: y\nn: 4\n");
    expect(loadInputsFile(yaml, template).values).toEqual({ s: "y", n: 4 });
    const map = toLiteralMap({ n: 2n ** 60n });
    const lj = join(dir, "literals.json");
    writeFileSync(lj, JSON.stringify(flyteidl.core.LiteralMap.toJSON(map)));
    expect(loadInputsFile(lj, template).literals).toEqual(map);
    const lpb = join(dir, "inputs.pb");
    writeFileSync(lpb, flyteidl.core.LiteralMap.encode(map).finish());
    expect(loadInputsFile(lpb, template).literals).toEqual(map);
  });

  test("refuses what is not an object of inputs", () => {
    const dir = tempDir();
    const arr = join(dir, "arr.json");
    writeFileSync(arr, "[1]");
    expect(() => loadInputsFile(arr, template)).toThrow(/expected an object of input names to values/);
  });
});

describe("helpers", () => {
  test("JSON output keeps big integers exact", () => {
    expect(toJsonOut({ a: 2n ** 63n - 1n, b: 5n, d: new DurationValue(1n, 500_000_000), bin: new Uint8Array([1, 2]) })).toEqual({
      a: "9223372036854775807",
      b: 5,
      d: "1.5s",
      bin: "AQI=",
    });
  });

  test("poll backoff grows while the phase stays and starts over when it changes", () => {
    const b = new PollBackoff({ initialMs: 100, maxMs: 300 });
    expect([b.next(false), b.next(false), b.next(false), b.next(false), b.next(true), b.next(false)]).toEqual([
      100, 150, 225, 300, 100, 150,
    ]);
  });

  test("ListAgents routing: deprecated task types are version 0, the last listing wins", () => {
    const table = routingTable([
      { name: "a", isSync: false, supportedTaskTypes: ["legacy"], supportedTaskCategories: [{ name: "q", version: 1 }] },
      { name: "b", isSync: true, supportedTaskTypes: [], supportedTaskCategories: [{ name: "q", version: 1 }] },
    ]);
    expect(Object.fromEntries(table)).toEqual({ "legacy@0": false, "q@1": true });
  });
});
