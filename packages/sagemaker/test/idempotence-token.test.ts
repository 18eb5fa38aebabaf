/**
 * Known answers made once by Python 3 with python3-xxhash (scripts/make-token-fixtures.py, from
 * the reference's description of flytekit): the TypeScript rendering must give the same token
 * and the same rendered config.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { PlainValue } from "@flyte-agent/core";
import { idempotenceToken, sortedDictStr } from "../src/idempotence-token";
import { renderCall } from "../src/render-call";
import { inputLiterals } from "./helpers";

interface FixtureCase {
  name: string;
  agent: "boto" | "sagemaker-endpoint";
  custom: { service?: string; config: Record<string, unknown>; region?: string | null; images?: Record<string, string> | null };
  inputs: Record<string, { string?: string; integer?: number; float?: number; boolean?: boolean }>;
  sortedText: string | null;
  token: string;
  rendered: Record<string, unknown>;
}

const fixtures = JSON.parse(readFileSync(join(__dirname, "fixtures", "idempotence-tokens.json"), "utf8")) as {
  cases: FixtureCase[];
};

function typedInputs(inputs: FixtureCase["inputs"]) {
  const values: Record<string, PlainValue> = {};
  for (const [name, literal] of Object.entries(inputs)) {
    if (literal.string !== undefined) values[name] = literal.string;
    else if (literal.integer !== undefined) values[name] = BigInt(literal.integer);
    else if (literal.float !== undefined) values[name] = literal.float;
    else if (literal.boolean !== undefined) values[name] = literal.boolean;
  }
  return inputLiterals(values);
}

test("the fixtures hold the cases this suite expects", () => {
  expect(fixtures.cases.length).toBe(7);
  expect(fixtures.cases.filter((c) => c.token !== "").length).toBe(6);
});

test.each(fixtures.cases.map((c) => [c.name, c] as const))("%s", async (_name, c) => {
  const call = await renderCall({
    config: c.custom.config,
    images: c.custom.images,
    customRegion: c.custom.region,
    configuredRegion: undefined,
    inputs: typedInputs(c.inputs),
    service: c.agent === "boto" ? (c.custom.service as string) : "sagemaker",
    integersFirst: c.agent === "boto",
  });
  expect(call.token).toBe(c.token);
  expect(call.input).toEqual(c.rendered);
});

test("the token is xxh64 of the sorted text the fixtures recorded", async () => {
  // The two all-string cases: put the placeholder back where the token went, and hash again.
  for (const c of [fixtures.cases[0], fixtures.cases[2]] as FixtureCase[]) {
    const rendered = JSON.parse(JSON.stringify(c.rendered).split(c.token).join("{idempotence_token}")) as Record<string, string>;
    expect(sortedDictStr(rendered)).toBe(c.sortedText);
    expect(await idempotenceToken(rendered)).toBe(c.token);
  }
});

test("the sorted text of Python values: keys in order, list items by their str(), Python's leaves", () => {
  expect(
    sortedDictStr({ b: [10n, 9n, 0.25], a: { z: true, y: null }, c: ["b", "a", "C", 2.5], d: [{ Key: "team" }, { Key: "env" }] }),
  ).toBe("{a: {y: None, z: True}, b: [0.25, 10, 9], c: [2.5, C, a, b], d: [{Key: env}, {Key: team}]}");
});
