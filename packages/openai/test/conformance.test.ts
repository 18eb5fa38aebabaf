import { join } from "node:path";
import { checkConformance, startServerProcess } from "@flyte-agent/testing";
import { ChatGPTAgent, OpenAIBatchAgent } from "../src";
import { chatGPTTemplate, type FakeOpenAI, openAIBatchTemplate, startFakeOpenAI, stringInputs } from "../src/testing";
import { API_KEY, agentEnv } from "./helpers";

let succeeding: FakeOpenAI;
let failing: FakeOpenAI;

beforeAll(async () => {
  succeeding = await startFakeOpenAI({ apiKey: API_KEY, files: ["file-abc"] });
  failing = await startFakeOpenAI({ apiKey: API_KEY, progression: ["in_progress", "failed"] });
});
afterAll(async () => {
  await Promise.all([succeeding.close(), failing.close()]);
});

const unknownBatch = () => Buffer.from(JSON.stringify({ batchId: "batch_never_created" }));

checkConformance(
  () => [new OpenAIBatchAgent({ env: agentEnv(succeeding.url) }), new ChatGPTAgent({ env: agentEnv(succeeding.url) })],
  [
    {
      name: "openai-batch that completes",
      // The agents need the fake's URL, so checkConformance cannot build them to find the kind.
      kind: "async",
      template: () => openAIBatchTemplate({ openai_organization: null, config: { metadata: { team: "ml" } } }),
      inputs: () => stringInputs({ input_file_id: "file-abc" }),
      expectPhase: "SUCCEEDED",
      unknownResourceMeta: unknownBatch,
    },
    {
      name: "chatgpt",
      kind: "sync",
      template: () => chatGPTTemplate({ chatgpt_config: { model: "gpt-4o-mini", max_tokens: 50.0 } }),
      inputs: () => stringInputs({ message: "hello" }),
      expectPhase: "SUCCEEDED",
    },
  ],
  {
    secrets: [API_KEY],
    pollIntervalMs: 1,
    // Another replica: the built plugin in its own process, sharing nothing but resource_meta.
    secondServer: () =>
      startServerProcess({ modules: [join(__dirname, "..", "dist", "index.js")], env: agentEnv(succeeding.url) }),
  },
);

checkConformance(
  () => [new OpenAIBatchAgent({ env: agentEnv(failing.url) })],
  [
    {
      name: "openai-batch that fails",
      kind: "async",
      template: () => openAIBatchTemplate({ config: {} }),
      inputs: () => stringInputs({ input_file_id: "file-bad" }),
      expectPhase: "FAILED",
      unknownResourceMeta: unknownBatch,
    },
  ],
  { secrets: [API_KEY], pollIntervalMs: 1, title: "propeller conformance of a failing batch" },
);
