/**
 * What users of `@flyte-agent/webhook` test with: a webhook endpoint on 127.0.0.1 that records
 * what it receives and answers as scripted, and task templates shaped as flytekit registers them.
 *
 * @packageDocumentation
 */
export {
  startWebhookReceiver,
  type WebhookReceiver,
  type ReceivedRequest,
  type ReceiverAnswer,
} from "./webhook-receiver";
export { webhookTemplate, msgpackDictType, simple, type StructValue } from "./webhook-template";
