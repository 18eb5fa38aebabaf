/**
 * `flyte-agent run` (core's CLI, in a child process) runs examples/file-sensor.yaml in-process
 * with the built plugin against the S3 fake, as the example's comment says.
 */
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { type FakeS3, startFakeS3 } from "../src/testing";

const BIN = join(dirname(require.resolve("@flyte-agent/core")), "..", "bin", "flyte-agent.js");
const PLUGIN = join(__dirname, "..", "dist", "index.js");
const EXAMPLE = join(__dirname, "..", "examples", "file-sensor.yaml");
let fake: FakeS3;

beforeAll(async () => {
  fake = await startFakeS3({ buckets: { "my-bucket": { objects: ["incoming/_SUCCESS"] } } });
});
afterAll(() => fake.close());

function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

const env = () => ({
  AWS_ENDPOINT_URL_S3: fake.url,
  AWS_ACCESS_KEY_ID: fake.credentials.accessKeyId,
  AWS_SECRET_ACCESS_KEY: fake.credentials.secretAccessKey,
  AWS_REGION: "us-east-1",
});
const args = (path: string) => [
  "run",
  EXAMPLE,
  "-i",
  `path=${path}`,
  "--poll-interval",
  "10ms",
  "--max-poll-interval",
  "50ms",
  "--include",
  "none",
  "--modules",
  PLUGIN,
];

test("flyte-agent run: the example succeeds once the object exists, and prints no outputs", async () => {
  const { code, stdout, stderr } = await runCli(args("s3://my-bucket/incoming/_SUCCESS"), env());
  expect({ code, stderr }).toMatchObject({ code: 0 });
  expect(JSON.parse(stdout)).toEqual({});
  expect(stdout + stderr).not.toContain(fake.credentials.secretAccessKey);
});

test("flyte-agent run: an unknown scheme is refused at CreateTask with the reason", async () => {
  const { code, stderr } = await runCli(args("hdfs://namenode/x"), env());
  expect(code).not.toBe(0);
  expect(stderr).toContain('the scheme "hdfs" is not served');
});
