/**
 * `flyte-agent run` (core's CLI, in a child process) runs examples/webhook.yaml in-process with
 * the built plugin against a real endpoint, as the example's comment says.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runFlyteAgentCli } from "@flyte-agent/testing";
import { startWebhookReceiver, type WebhookReceiver } from "../src/testing";

const PLUGIN = join(__dirname, "..", "dist", "index.js");
const EXAMPLE = join(__dirname, "..", "examples", "webhook.yaml");
const TOKEN = "whk-cli-token-3141";
let receiver: WebhookReceiver;
let dir: string;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  receiver.answerWith({ status: 201, body: "queued" });
  dir = mkdtempSync(join(tmpdir(), "webhook-run-"));
});
afterAll(async () => {
  await receiver.close();
  rmSync(dir, { recursive: true, force: true });
});

test("flyte-agent run runs the example and prints info", async () => {
  // The example names 127.0.0.1:8080; point it at this test's endpoint.
  const host = new URL(receiver.url).host;
  const template = join(dir, "webhook.yaml");
  writeFileSync(template, readFileSync(EXAMPLE, "utf8").replaceAll("127.0.0.1:8080", host));
  const { code, stdout, stderr } = await runFlyteAgentCli(
    ["run", template, "-i", "run_id=r-42", "--include", "none", "--modules", PLUGIN],
    { env: { FLYTE_WEBHOOK_ALLOWED_HOSTS: host, FLYTE_WEBHOOK_SECRETS: "HOOK_TOKEN", _FSEC_HOOK_TOKEN: TOKEN } },
  );
  expect({ code, stderr }).toMatchObject({ code: 0 });
  expect(receiver.requests).toHaveLength(1);
  expect(receiver.requests[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
  expect(JSON.parse(receiver.requests[0]?.body.toString("utf8") ?? "")).toEqual({ text: "run r-42 finished", attempts: 3 });
  expect(JSON.parse(stdout)).toEqual({
    info: {
      status_code: 201,
      response_data: "queued",
      input_data: { text: "run r-42 finished", attempts: 3 },
      url: `http://${host}/hooks/r-42`,
    },
  });
  expect(stdout + stderr).not.toContain(TOKEN);
});

test("without the allow-list the example's loopback destination is refused, naming the rule", async () => {
  const { code, stdout, stderr } = await runFlyteAgentCli(
    ["run", EXAMPLE, "-i", "run_id=r-1", "--include", "none", "--modules", PLUGIN],
    {
      env: { FLYTE_WEBHOOK_ALLOWED_HOSTS: "", FLYTE_WEBHOOK_SECRETS: "HOOK_TOKEN", _FSEC_HOOK_TOKEN: TOKEN },
    },
  );
  expect(code).not.toBe(0);
  expect(stdout + stderr).toContain('refused by the rule "loopback address"');
});
