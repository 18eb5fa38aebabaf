/**
 * `flyte-agent run` (core's CLI, in a child process) runs examples/file-sensor.yaml in-process
 * with the built plugin against the S3 fake, as the example's comment says.
 */
import { join } from "node:path";
import { runFlyteAgentCli } from "@flyte-agent/testing";
import { type FakeS3, startFakeS3 } from "../src/testing";

const PLUGIN = join(__dirname, "..", "dist", "index.js");
const EXAMPLE = join(__dirname, "..", "examples", "file-sensor.yaml");
let fake: FakeS3;

beforeAll(async () => {
  fake = await startFakeS3({ buckets: { "my-bucket": { objects: ["incoming/_SUCCESS"] } } });
});
afterAll(() => fake.close());

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
  const { code, stdout, stderr } = await runFlyteAgentCli(args("s3://my-bucket/incoming/_SUCCESS"), { env: env() });
  expect({ code, stderr }).toMatchObject({ code: 0 });
  expect(JSON.parse(stdout)).toEqual({});
  expect(stdout + stderr).not.toContain(fake.credentials.secretAccessKey);
});

test("flyte-agent run: an unknown scheme is refused at CreateTask with the reason", async () => {
  const { code, stderr } = await runFlyteAgentCli(args("hdfs://namenode/x"), { env: env() });
  expect(code).not.toBe(0);
  expect(stderr).toContain('the scheme "hdfs" is not served');
});
