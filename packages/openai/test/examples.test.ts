/**
 * The examples in examples/ (shown in the README) run with `flyte-agent run` as documented: the
 * real CLI, this plugin found as an installed package and loaded in-process (from dist/), the
 * OpenAI API faked on 127.0.0.1 through OPENAI_BASE_URL.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { type FakeOpenAI, startFakeOpenAI } from "../src/testing";
import { API_KEY } from "./helpers";

const root = join(__dirname, "..");
const cli = join(root, "node_modules", ".bin", "flyte-agent");
const inProcess = ["--include", "@flyte-agent/openai", "--poll-interval", "100ms", "--max-poll-interval", "300ms"];
let fake: FakeOpenAI;

beforeAll(async () => {
  fake = await startFakeOpenAI({ apiKey: API_KEY, files: ["file-abc123"] });
});
afterAll(async () => {
  await fake.close();
});

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env, OPENAI_BASE_URL: fake.url, _FSEC_FLYTE_OPENAI_API_KEY: API_KEY };
  return new Promise((resolve) => {
    execFile(cli, args, { cwd: root, timeout: 60_000, env }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

test("examples/openai-batch.yaml runs the batch to SUCCEEDED and prints the batch object", async () => {
  const { code, stdout, stderr } = await run([
    "run",
    "examples/openai-batch.yaml",
    "-i",
    "input_file_id=file-abc123",
    ...inProcess,
  ]);
  expect({ code, stderr }).toMatchObject({ code: 0 });
  expect(stderr).toMatch(/RUNNING[\s\S]*SUCCEEDED/);
  const { result } = JSON.parse(stdout);
  expect(result).toMatchObject({
    id: fake.batches[0]?.id,
    status: "completed",
    input_file_id: "file-abc123",
    metadata: { team: "ml" },
  });
});

test("examples/chatgpt.yaml answers with the first choice's text", async () => {
  const { code, stdout, stderr } = await run(["run", "examples/chatgpt.yaml", "-i", "message=Say hello", ...inProcess]);
  expect({ code, stderr }).toMatchObject({ code: 0 });
  expect(JSON.parse(stdout)).toEqual({ o0: "You said: Say hello" });
  expect(fake.requests.at(-1)?.body).toMatchObject({ model: "gpt-4o-mini", max_tokens: 100 });
});
