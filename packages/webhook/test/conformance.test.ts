/**
 * The propeller rules over v1 (ExecuteTaskSync) and v2 (a sync agent is refused there, naming
 * the v1 service, and left out of ListConnectors), with a header secret that must never leak.
 */
import { checkConformance } from "@flyte-agent/testing";
import { WebhookAgent } from "../src";
import { simple, startWebhookReceiver, type WebhookReceiver, webhookTemplate } from "../src/testing";
import { stringLiteral } from "./helpers";

const TOKEN = "whk-conformance-token-5521";
let ok: WebhookReceiver;
let notFound: WebhookReceiver;

beforeAll(async () => {
  ok = await startWebhookReceiver();
  notFound = await startWebhookReceiver();
  notFound.answerWith({ status: 404, body: `unknown hook (token ${TOKEN})` });
});
afterAll(async () => {
  await ok.close();
  await notFound.close();
});

const agents = () => [
  new WebhookAgent({
    env: { FLYTE_WEBHOOK_ALLOWED_HOSTS: "127.0.0.1", FLYTE_WEBHOOK_SECRETS: "HOOK_TOKEN", _FSEC_HOOK_TOKEN: TOKEN },
  }),
];
const headers = { Authorization: "Bearer {secrets.HOOK_TOKEN}" };

checkConformance(
  agents,
  [
    {
      name: "webhook POST that succeeds",
      template: () =>
        webhookTemplate(
          { url: `${ok.url}/hooks`, method: "POST", headers, data: { run: "{inputs.run_id}" }, show_data: true },
          { run_id: simple("STRING") },
        ),
      inputs: () => ({ literals: { run_id: stringLiteral("r-1") } }),
      expectPhase: "SUCCEEDED",
    },
    {
      name: "webhook GET answered 404",
      template: () => webhookTemplate({ url: `${notFound.url}/missing`, method: "GET", headers }),
      expectPhase: "FAILED",
    },
  ],
  { secrets: [TOKEN], protocols: ["v1", "v2"] },
);
