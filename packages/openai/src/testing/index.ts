/**
 * Testing kit of `@flyte-agent/openai`: a fake of the OpenAI API (Batch and Chat Completions) on
 * 127.0.0.1 that the real `openai` SDK talks to, and task templates shaped as flytekit
 * registers `openai-batch` and `chatgpt` tasks.
 *
 * @packageDocumentation
 */
export {
  startFakeOpenAI,
  type FakeOpenAI,
  type FakeOpenAIOptions,
  type FakeFault,
  type FakeBatch,
  type FakeChatReply,
  type FakeRequestRecord,
} from "./fake-openai";
export { openAIBatchTemplate, chatGPTTemplate, stringInputs } from "./templates";
