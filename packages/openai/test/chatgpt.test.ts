import { phaseName } from "@flyte-agent/core";
import { GrpcStatus, type RpcError, startTestServer } from "@flyte-agent/testing";
import { ChatGPTAgent, MAX_MESSAGE_CHARS } from "../src";
import { chatGPTTemplate, type FakeOpenAI, startFakeOpenAI, stringInputs } from "../src/testing";
import { API_KEY, agentEnv, openAIPlugin } from "./helpers";

const ORG = "org-flyte";
let fake: FakeOpenAI;

beforeEach(async () => {
  fake = await startFakeOpenAI({
    apiKey: API_KEY,
    organizations: [ORG],
    chatReply: (m) =>
      m === "refuse"
        ? { refusal: "I can't help with that." }
        : m === "empty"
          ? { content: null, finishReason: "length" }
          : `You said: ${m}`,
  });
});
afterEach(async () => {
  await fake.close();
});

/** flytekit's ChatGPTTask(openai_organization=ORG, chatgpt_config={...}); the Struct carries 100 as 100.0. */
const template = (config: { [key: string]: unknown } = {}) =>
  chatGPTTemplate({
    openai_organization: ORG,
    chatgpt_config: {
      model: "gpt-4o-mini",
      temperature: 0.7,
      max_tokens: 100.0,
      messages: [{ role: "system", content: "configured" }],
      ...config,
    },
  });
const message = (text: string) => stringInputs({ message: text });

function outputText(resource: { outputs?: { literals: Record<string, unknown> } }): unknown {
  const o0 = resource.outputs?.literals.o0 as {
    value?: { $case: string; value: { value?: { $case: string; value: { value?: { value: unknown } } } } };
  };
  return o0?.value?.value.value?.value.value?.value;
}

test("ExecuteTaskSync sends one user message and answers SUCCEEDED with the first choice's text as o0", async () => {
  const { client } = await startTestServer({ plugins: [openAIPlugin(fake.url)] });
  const resource = await client.executeTaskSync({ template: template(), inputs: message("hello") });
  expect(phaseName(resource.phase)).toBe("SUCCEEDED");
  expect(outputText(resource)).toBe("You said: hello");
  const sent = fake.requests.at(-1);
  expect(sent?.path).toBe("/v1/chat/completions");
  expect(sent?.organization).toBe(ORG);
  expect(sent?.body).toEqual({
    model: "gpt-4o-mini",
    temperature: 0.7,
    max_tokens: 100,
    messages: [{ role: "user", content: "hello" }],
  });
});

test("integer options reach OpenAI as integers (the fake, like OpenAI, refuses 100.0)", async () => {
  const { client } = await startTestServer({ plugins: [openAIPlugin(fake.url)] });
  const resource = await client.executeTaskSync({
    template: template({ max_tokens: 100.0, n: 1.0, seed: 42.0 }),
    inputs: message("hi"),
  });
  expect(phaseName(resource.phase)).toBe("SUCCEEDED");
  // The fake itself refuses a decimal where an integer belongs: sent raw, 100.5 is a 400.
  const refused = await client.executeTaskSync({ template: template({ max_tokens: 100.5 }), inputs: message("hi") });
  expect(phaseName(refused.phase)).toBe("FAILED");
  expect(refused.message).toMatch(
    /HTTP 400\): Invalid type for 'max_tokens': expected an integer, but got a decimal number instead/,
  );
});

test("a refusal or an empty answer is FAILED with a clear message", async () => {
  const { client } = await startTestServer({ plugins: [openAIPlugin(fake.url)] });
  const refusal = await client.executeTaskSync({ template: template(), inputs: message("refuse") });
  expect(phaseName(refusal.phase)).toBe("FAILED");
  expect(refusal.message).toBe("the model refused to answer: I can't help with that.");
  const empty = await client.executeTaskSync({ template: template(), inputs: message("empty") });
  expect(phaseName(empty.phase)).toBe("FAILED");
  expect(empty.message).toBe("the model answered with no text (finish_reason: length)");
});

test("a template or input mistake is FAILED (propeller would retry an error), naming it", async () => {
  const { client } = await startTestServer({ plugins: [openAIPlugin(fake.url)] });
  const noModel = await client.executeTaskSync({
    template: chatGPTTemplate({ chatgpt_config: { temperature: 0.5 } }),
    inputs: message("x"),
  });
  expect(phaseName(noModel.phase)).toBe("FAILED");
  expect(noModel.message).toBe("custom.chatgpt_config.model must name a model, got nothing");
  const noMessage = await client.executeTaskSync({ template: template(), inputs: stringInputs({}) });
  expect(noMessage.message).toBe('the task has no input "message"');
  const stream = await client.executeTaskSync({ template: template({ stream: true }), inputs: message("x") });
  expect(stream.message).toMatch(/stream is not supported/);
});

test("401 is FAILED naming the organization; a missing key secret is FAILED_PRECONDITION", async () => {
  const wrong = await startTestServer({ agents: [new ChatGPTAgent({ env: agentEnv(fake.url, "sk-wrong-key-12345678") })] });
  const resource = await wrong.client.executeTaskSync({ template: template(), inputs: message("x") });
  expect(phaseName(resource.phase)).toBe("FAILED");
  expect(resource.message).toMatch(/^OpenAI rejected the API key for organization "org-flyte" \(HTTP 401\)/);
  expect(resource.message).not.toContain("sk-wrong-key-12345678");
  const none = await startTestServer({ agents: [new ChatGPTAgent({ env: { OPENAI_BASE_URL: fake.url } })] });
  const err = (await none.client
    .executeTaskSync({ template: template(), inputs: message("x") })
    .catch((e: RpcError) => e)) as RpcError;
  expect(err.code).toBe(GrpcStatus.FAILED_PRECONDITION);
});

test("429 with Retry-After is retried; 5xx past the retries is RETRYABLE_FAILED", async () => {
  const { client } = await startTestServer({ plugins: [openAIPlugin(fake.url)] });
  fake.fail({ path: "/v1/chat/completions", status: 429, retryAfter: "1" });
  const started = Date.now();
  const ok = await client.executeTaskSync({ template: template(), inputs: message("again") });
  expect(phaseName(ok.phase)).toBe("SUCCEEDED");
  expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
  fake.fail({ path: "/v1/chat/completions", status: 500, times: 10 });
  const failed = await client.executeTaskSync({ template: template(), inputs: message("x") });
  expect(phaseName(failed.phase)).toBe("RETRYABLE_FAILED");
  expect(failed.message).toMatch(/^no chat completion: OpenAI answered HTTP 500.*\(after 4 attempts\)$/);
});

test("the timeout is the configured one, or the call's deadline when that is sooner", async () => {
  const short = await startTestServer({ plugins: [openAIPlugin(fake.url, { timeoutMs: 600 })] });
  fake.fail({ path: "/v1/chat/completions", delayMs: 5_000, times: 10 });
  let started = Date.now();
  const slow = await short.client.executeTaskSync({ template: template(), inputs: message("x") });
  expect(phaseName(slow.phase)).toBe("RETRYABLE_FAILED");
  expect(slow.message).toMatch(/no answer from OpenAI within \d+ ms/);
  expect(Date.now() - started).toBeLessThan(1_500);

  // Configured 10 s, but propeller's deadline is 1.5 s: the agent answers before it.
  const deadline = await startTestServer({ plugins: [openAIPlugin(fake.url)], client: { timeouts: { ExecuteTaskSync: 1_500 } } });
  started = Date.now();
  const cut = await deadline.client.executeTaskSync({ template: template(), inputs: message("x") });
  expect(phaseName(cut.phase)).toBe("RETRYABLE_FAILED");
  expect(Date.now() - started).toBeLessThan(1_500);
});

test("the chatgpt timeout is read from FLYTE_OPENAI_CHATGPT_TIMEOUT, and propeller-config is told it needs longer", () => {
  const agent = new ChatGPTAgent({ env: { FLYTE_OPENAI_CHATGPT_TIMEOUT: "30s" } });
  expect(agent.timeoutMs).toBe(30_000);
  expect(agent.minExecuteDeadlineMs).toBe(35_000);
  expect(new ChatGPTAgent({ env: {} }).minExecuteDeadlineMs).toBe(15_000);
  expect(() => new ChatGPTAgent({ env: { FLYTE_OPENAI_CHATGPT_TIMEOUT: "soon" } })).toThrow(/FLYTE_OPENAI_CHATGPT_TIMEOUT/);
});

test("answers and messages are bounded: a message at the limit is sent, one beyond is FAILED; an answer beyond maxResponseBytes is UNAVAILABLE", async () => {
  const { client } = await startTestServer({ plugins: [openAIPlugin(fake.url, { maxResponseBytes: 4096 })] });
  const roomy = await startTestServer({ plugins: [openAIPlugin(fake.url)] });
  const atLimit = await roomy.client.executeTaskSync({ template: template(), inputs: message("m".repeat(MAX_MESSAGE_CHARS)) });
  expect(phaseName(atLimit.phase)).toBe("SUCCEEDED");
  const beyond = await client.executeTaskSync({ template: template(), inputs: message("m".repeat(MAX_MESSAGE_CHARS + 1)) });
  expect(phaseName(beyond.phase)).toBe("FAILED");
  expect(beyond.message).toBe(`input "message" is ${MAX_MESSAGE_CHARS + 1} characters, over the limit of ${MAX_MESSAGE_CHARS}`);

  const small = await client.executeTaskSync({ template: template(), inputs: message("s".repeat(3000)) });
  expect(phaseName(small.phase)).toBe("SUCCEEDED");
  const large = (await client
    .executeTaskSync({ template: template(), inputs: message("l".repeat(5000)) })
    .catch((e: RpcError) => e)) as RpcError;
  expect(large.code).toBe(GrpcStatus.UNAVAILABLE);
  expect(large.details).toMatch(/chat completion: OpenAI's answer is over the limit of 4096 bytes/);
});

test("a dropped connection is retried", async () => {
  const { client } = await startTestServer({ plugins: [openAIPlugin(fake.url)] });
  fake.fail({ path: "/v1/chat/completions", drop: true });
  const resource = await client.executeTaskSync({ template: template(), inputs: message("after a drop") });
  expect(phaseName(resource.phase)).toBe("SUCCEEDED");
  expect(fake.requests.filter((r) => r.path === "/v1/chat/completions")).toHaveLength(2);
});
