/**
 * Flyte agent plugin for flytekit's webhook task (task type `webhook`, sync): one HTTP GET or
 * POST per task, to a destination the agent's rules allow, with header secrets the operator
 * allows.
 *
 * @packageDocumentation
 */
import { definePlugin } from "@flyte-agent/core";
import { WebhookAgent } from "./agent";
import { WEBHOOK_PLUGIN_NAME } from "./version";

export { WebhookAgent, WEBHOOK_AGENT_NAME, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_MAX_TIMEOUT_SEC } from "./agent";
export type { WebhookAgentOptions, WebhookTaskCustom, HostResolver } from "./types";
export { ADDRESS_RULES, type AddressRule, type AddressClass } from "./address-rules";
export { ALLOWED_HOSTS_ENV } from "./allowed-hosts";
export { SECRETS_ENV } from "./header-secrets";
export { WEBHOOK_PLUGIN_NAME, WEBHOOK_PLUGIN_VERSION } from "./version";

/** The plugin: the `webhook` agent, configured from the environment when the plugin loads. */
export default definePlugin({ name: WEBHOOK_PLUGIN_NAME, agents: [new WebhookAgent()] });
