import { observeExternalCall, observeExternalFailure } from "@flyte-agent/core";
import { type WebhookAnswer, WebhookCallError } from "./send-request";

/**
 * The service name of the webhook's external API metrics (`flyte_agent_external_*{service="Webhook"}`):
 * one value for every destination, so that user-chosen URLs never become label values.
 */
export const METRICS_SERVICE = "Webhook";

/**
 * Sends one webhook request and counts it in core's external API metrics: the status answered
 * (`network_error` when no answer was read: a network failure, a timeout, a cancellation, a
 * response over the limit) and the time taken. The agent calls once and leaves retries to the
 * task's own (Flyte's), so a 429, 5xx or network failure also counts as a request given up, as
 * core's `retryHttp` would with one attempt (a call cancelled by `signal` is not). A destination
 * refused before connecting is no request.
 */
export async function observeWebhookCall(send: () => Promise<WebhookAnswer>, signal: AbortSignal): Promise<WebhookAnswer> {
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  try {
    const answer = await send();
    observeExternalCall(METRICS_SERVICE, { status: answer.status, seconds: seconds() });
    if (answer.status === 429 || answer.status >= 500) observeExternalFailure(METRICS_SERVICE);
    return answer;
  } catch (err) {
    if (err instanceof WebhookCallError) {
      observeExternalCall(METRICS_SERVICE, { seconds: seconds() });
      if (err.retryable && !signal.aborted) observeExternalFailure(METRICS_SERVICE);
    }
    throw err;
  }
}
