/**
 * The fake SQL API checks the JSON types of a submission itself, as Snowflake does: a field of
 * the wrong type is a 400 with the API's error body, never a silent coercion or a crash.
 */
import { JwtCache } from "../src/jwt";
import { loadKeyPair } from "../src/key-pair";
import { type FakeSnowflake, generateTestKeyPair, startFakeSnowflake } from "../src/testing";
import { USER } from "./helpers";

const keys = generateTestKeyPair();
const token = new JwtCache({ lifetimeSeconds: 600, renewBeforeSeconds: 60 }).token(
  "MYORG-ANALYTICS",
  USER,
  loadKeyPair(keys.privateKeyPem, undefined),
);
let fake: FakeSnowflake;

beforeAll(async () => {
  fake = await startFakeSnowflake({ publicKey: keys.publicKeyPem, account: "MYORG-ANALYTICS", user: USER });
});
afterAll(() => fake.close());

async function submit(body: string, requestId = "0b6e3c1a-5d2f-4c8e-9a7b-1f2e3d4c5b6a") {
  const res = await fetch(`${fake.url}/api/v2/statements?requestId=${requestId}&async=true`, {
    method: "POST",
    body,
    headers: {
      Authorization: `Bearer ${token}`,
      "X-Snowflake-Authorization-Token-Type": "KEYPAIR_JWT",
      "Content-Type": "application/json",
      Accept: "application/json",
    },
  });
  return { status: res.status, body: (await res.json()) as { code?: string; message?: string } };
}

const valid = { statement: "SELECT 1", database: "D", schema: "S", warehouse: "W" };

test.each([
  ["null", "the request body must be a JSON object"],
  ["[]", "the request body must be a JSON object"],
  [JSON.stringify({ ...valid, warehouse: 7 }), "warehouse must be a string"],
  [JSON.stringify({ ...valid, timeout: "60" }), "timeout must be a whole number of seconds >= 0"],
  [JSON.stringify({ ...valid, timeout: 1.5 }), "timeout must be a whole number of seconds >= 0"],
  [JSON.stringify({ ...valid, bindings: [] }), "bindings must be an object"],
  [JSON.stringify({ ...valid, parameters: { QUERY_TAG: 1 } }), "parameters.QUERY_TAG must be a string"],
])("a submission %s is a 400 saying %s", async (body, message) => {
  const before = fake.stats.submits;
  expect(await submit(body)).toEqual({ status: 400, body: expect.objectContaining({ code: "391901", message }) });
  expect(fake.stats.submits).toBe(before);
});

test("a well-typed submission is accepted", async () => {
  const answer = await submit(JSON.stringify({ ...valid, timeout: 60, bindings: {} }), "1b6e3c1a-5d2f-4c8e-9a7b-1f2e3d4c5b6a");
  expect(answer.status).toBe(202);
  expect(fake.stats.submits).toBe(1);
});
