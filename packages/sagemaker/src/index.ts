/**
 * Flyte agent plugin for AWS SageMaker deployments, wire-compatible with flytekit's SageMaker
 * connectors: `sagemaker-endpoint` (async: create an endpoint and wait until it is in service)
 * and `boto` (sync: one SageMaker or SageMaker Runtime call), on the AWS SDK v3.
 *
 * @packageDocumentation
 */
import { definePlugin } from "@flyte-agent/core";
import { AwsClients } from "./aws-clients";
import { BotoAgent } from "./boto-agent";
import { SageMakerEndpointAgent } from "./endpoint-agent";
import { resolveSettings } from "./settings";

export { SageMakerEndpointAgent, SAGEMAKER_ENDPOINT_AGENT_NAME } from "./endpoint-agent";
export { BotoAgent, BOTO_AGENT_NAME } from "./boto-agent";
export type { AwsCredentials, BotoCustom, SageMakerAgentOptions, SageMakerEndpointCustom, SageMakerEndpointMeta } from "./types";
export { ENDPOINT_PHASES } from "./endpoint-state";
export { TRITON_ACCOUNTS } from "./images";
export { supportedMethods } from "./boto-methods";
export { PLUGIN_NAME, SAGEMAKER_PLUGIN_VERSION } from "./version";

const clients = new AwsClients(resolveSettings({}).clients);

/** The plugin: `sagemaker-endpoint` and `boto`, sharing one set of SDK clients (created on first use). */
export default definePlugin({
  name: "@flyte-agent/sagemaker",
  agents: [new SageMakerEndpointAgent({}, clients), new BotoAgent({}, clients)],
});
