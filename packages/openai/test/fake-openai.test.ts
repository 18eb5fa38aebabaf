/**
 * The fake checks what OpenAI checks, driven by the real SDK (and by raw HTTP where the SDK
 * cannot send the mistake, such as a number written 100.0).
 */
import OpenAI from "openai";
import { type FakeOpenAI, startFakeOpenAI } from "../src/testing";
import { API_KEY } from "./helpers";

let fake: FakeOpenAI;
let sdk: OpenAI;

beforeEach(async () => {
  fake = await startFakeOpenAI({ apiKey: API_KEY, organizations: ["org-a"], files: ["file-1"] });
  sdk = new OpenAI({ apiKey: API_KEY, organization: "org-a", project: null, baseURL: fake.url, maxRetries: 0 });
});
afterEach(async () => {
  await fake.close();
});

async function statusOf(p: Promise<unknown>): Promise<{ status?: number; message: string }> {
  try {
    await p;
    return { message: "OK" };
  } catch (err) {
    return { status: (err as { status?: number }).status, message: (err as Error).message };
  }
}

const create = (body: Record<string, unknown>) =>
  sdk.batches.create({ input_file_id: "file-1", endpoint: "/v1/chat/completions", completion_window: "24h", ...body } as never);

test("the bearer key and the organization are checked", async () => {
  const wrongKey = new OpenAI({ apiKey: "sk-nope-123456789", baseURL: fake.url, maxRetries: 0 });
  expect(await statusOf(wrongKey.batches.list())).toMatchObject({
    status: 401,
    message: expect.stringMatching(/Incorrect API key provided: sk-\*+6789/),
  });
  const wrongOrg = new OpenAI({ apiKey: API_KEY, organization: "org-b", baseURL: fake.url, maxRetries: 0 });
  expect(await statusOf(wrongOrg.batches.list())).toMatchObject({
    status: 401,
    message: expect.stringMatching(/should match organization/),
  });
  expect(await statusOf(sdk.batches.list())).toEqual({ message: "OK" });
});

test("batch requests are checked as OpenAI checks them", async () => {
  expect(await statusOf(create({ colour: "blue" }))).toMatchObject({
    status: 400,
    message: expect.stringMatching(/Unrecognized request argument supplied: colour/),
  });
  expect(await statusOf(create({ input_file_id: "file-2" }))).toMatchObject({
    status: 400,
    message: expect.stringMatching(/File not found/),
  });
  expect(await statusOf(create({ completion_window: "48h" }))).toMatchObject({ status: 400 });
  expect(await statusOf(create({ endpoint: "/v1/images" }))).toMatchObject({ status: 400 });
  const keys = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, "v"]));
  expect(await statusOf(create({ metadata: keys(16) }))).toEqual({ message: "OK" });
  expect(await statusOf(create({ metadata: keys(17) }))).toMatchObject({
    status: 400,
    message: expect.stringMatching(/at most 16 properties/),
  });
  expect(await statusOf(create({ metadata: { n: 1 } }))).toMatchObject({
    status: 400,
    message: expect.stringMatching(/metadata.n': expected a string/),
  });
  expect(await statusOf(create({ metadata: { v: "x".repeat(513) } }))).toMatchObject({ status: 400 });
  expect(await statusOf(sdk.batches.list({ limit: 101 }))).toMatchObject({
    status: 400,
    message: expect.stringMatching(/between 1 and 100/),
  });
  expect(await statusOf(sdk.batches.retrieve("batch_none"))).toMatchObject({ status: 404 });
});

test("an integer option written as a decimal is a 400, as OpenAI answers it", async () => {
  const send = (maxTokens: string) =>
    fetch(`${fake.url}/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${API_KEY}`, "content-type": "application/json" },
      body: `{"model":"gpt-4o-mini","max_tokens":${maxTokens},"messages":[{"role":"user","content":"hi"}]}`,
    });
  const decimal = await send("100.0");
  expect(decimal.status).toBe(400);
  expect(((await decimal.json()) as { error: { message: string } }).error.message).toBe(
    "Invalid type for 'max_tokens': expected an integer, but got a decimal number instead.",
  );
  expect((await send("100")).status).toBe(200);
  expect((await send("1e2")).status).toBe(400);
});
