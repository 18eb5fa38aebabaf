/**
 * Header secrets: only names the operator lists (FLYTE_WEBHOOK_SECRETS) or the task's own
 * connection carries; refusals name the secret; values never reach messages, logs or outputs.
 */
import { Writable } from "node:stream";
import { createLogger, phaseName } from "@flyte-agent/core";
import { agentTestContext, startTestServer, type TestServer } from "@flyte-agent/testing";
import { WebhookAgent } from "../src";
import { simple, startWebhookReceiver, type WebhookReceiver, webhookTemplate } from "../src/testing";
import { infoOf, stringLiteral } from "./helpers";

const TOKEN = "whk-live-7f3a9c2e5b1d";
const POD_ENV = {
  FLYTE_WEBHOOK_SECRETS: "HOOK_TOKEN, MISSING_TOKEN",
  _FSEC_HOOK_TOKEN: TOKEN,
  _FSEC_FLYTE_DATABRICKS_ACCESS_TOKEN: "dapi-not-for-webhooks-0001",
  FLYTE_SECRETS_DEFAULT_DIR: "/nonexistent-secrets-dir",
};
let receiver: WebhookReceiver;
let server: TestServer;
const logs: string[] = [];

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(chunk.toString("utf8"));
      done();
    },
  });
  server = await startTestServer({
    agents: [new WebhookAgent({ env: { ...POD_ENV, FLYTE_WEBHOOK_ALLOWED_HOSTS: "127.0.0.1" } })],
    server: { logger: createLogger({ level: "debug", destination }) },
  });
});
afterAll(async () => {
  await server.close();
  await receiver.close();
});
beforeEach(() => {
  receiver.requests.length = 0;
  receiver.answerWith({ body: "ok" });
});

const template = (headers: Record<string, string>, extra: Record<string, string> = {}) =>
  webhookTemplate({ url: `${receiver.url}/h`, method: "POST", headers, ...extra }, { who: simple("STRING") });
const inputs = (who = "ops") => ({ literals: { who: stringLiteral(who) } });

test("a listed secret fills its header; an echo of it is scrubbed from the output and from logs", async () => {
  receiver.answerWith({ body: `you sent Bearer ${TOKEN}` });
  const resource = await server.client.executeTaskSync({
    template: template({ Authorization: "Bearer {secrets.HOOK_TOKEN}", "X-Who": "{inputs.who}" }),
    inputs: inputs(),
  });
  expect(phaseName(resource.phase)).toBe("SUCCEEDED");
  expect(receiver.requests[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
  expect(receiver.requests[0]?.headers["x-who"]).toBe("ops");
  expect(infoOf(resource)).toEqual({ status_code: 200, response_data: "you sent Bearer [REDACTED]" });
  expect(logs.join("")).toContain('"operation":"do"');
  expect(logs.join("")).not.toContain(TOKEN);
});

test("a failure message that echoes the secret is scrubbed", async () => {
  receiver.answerWith({ status: 401, body: `token ${TOKEN} is revoked` });
  const resource = await server.client.executeTaskSync({
    template: template({ "X-Token": "{secrets.HOOK_TOKEN}" }),
    inputs: inputs(),
  });
  expect([phaseName(resource.phase), resource.message]).toEqual([
    "FAILED",
    "Webhook failed with status code 401, response: token [REDACTED] is revoked",
  ]);
});

test("a secret the operator did not list is refused, named, and nothing is sent", async () => {
  const resource = await server.client.executeTaskSync({
    template: template({ Authorization: "Bearer {secrets.FLYTE_DATABRICKS_ACCESS_TOKEN}" }),
    inputs: inputs(),
  });
  expect([phaseName(resource.phase), resource.message]).toEqual([
    "FAILED",
    "the header secret \"FLYTE_DATABRICKS_ACCESS_TOKEN\" is refused: a webhook may only name secrets the agent's FLYTE_WEBHOOK_SECRETS lists (HOOK_TOKEN, MISSING_TOKEN) or the task's connection carries",
  ]);
  expect(receiver.requests).toHaveLength(0);
});

test("a listed secret that is not mounted fails naming where it was looked for, never a value", async () => {
  const resource = await server.client.executeTaskSync({
    template: template({ "X-Token": "{secrets.MISSING_TOKEN}" }),
    inputs: inputs(),
  });
  expect(phaseName(resource.phase)).toBe("FAILED");
  expect(resource.message).toContain("_FSEC_MISSING_TOKEN");
  expect(resource.message).toContain("/nonexistent-secrets-dir/missing_token");
  expect(receiver.requests).toHaveLength(0);
});

test("secrets may only be named in header values, and an input cannot name one", async () => {
  const inUrl = await server.client.executeTaskSync({
    template: webhookTemplate({ url: `${receiver.url}/h?t={secrets.HOOK_TOKEN}`, method: "GET" }),
  });
  expect([phaseName(inUrl.phase), inUrl.message]).toEqual([
    "FAILED",
    "custom.url names a secret: {secrets.NAME} is only allowed in a header value",
  ]);
  const inData = await server.client.executeTaskSync({
    template: webhookTemplate({ url: `${receiver.url}/h`, method: "POST", data: { token: "{secrets.HOOK_TOKEN}" } }),
  });
  expect(inData.message).toBe("custom.data.token names a secret: {secrets.NAME} is only allowed in a header value");
  expect(receiver.requests).toHaveLength(0);

  // An input's text is sent as it is: it never reaches the secret lookup.
  const viaInput = await server.client.executeTaskSync({
    template: template({ "X-Who": "{inputs.who}" }),
    inputs: inputs("{secrets.HOOK_TOKEN}"),
  });
  expect(phaseName(viaInput.phase)).toBe("SUCCEEDED");
  expect(receiver.requests[0]?.headers["x-who"]).toBe("{secrets.HOOK_TOKEN}");
});

test("the task's own Flyte 2 connection may carry a secret the operator did not list", async () => {
  const agent = new WebhookAgent({ env: { FLYTE_WEBHOOK_ALLOWED_HOSTS: "127.0.0.1" } });
  const connectionToken = "conn-scoped-token-91ab";
  const ctx = agentTestContext({
    template: webhookTemplate({ url: `${receiver.url}/h`, method: "GET", headers: { "X-Key": "{secrets.team_hook_key}" } }),
    connection: { secrets: { team_hook_key: connectionToken } },
  });
  // Sync agents are not served over flyteidl2 today, so no ExecuteTaskSync carries a connection;
  // the agent honours one when a call does.
  const resource = await agent.do({ ...ctx.executeContext(), connection: ctx.connection });
  expect([phaseName(resource.phase), resource.message]).toEqual(["SUCCEEDED", "Webhook was successfully invoked!"]);
  expect(receiver.requests[0]?.headers["x-key"]).toBe(connectionToken);
  expect(ctx.leakedSecrets(resource.message, ctx.log)).toEqual([]);
});
