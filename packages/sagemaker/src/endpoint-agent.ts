import {
  AgentError,
  AsyncAgent,
  type CallContext,
  type CreateContext,
  InvalidMetaError,
  Phase,
  type Resource,
  StatusCode,
  type TaskCategory,
  expectMetaFields,
  msgpackLiteral,
} from "@flyte-agent/core";
import { callAws } from "./aws-call";
import { AwsClients } from "./aws-clients";
import { customOf, nameParameter } from "./custom";
import { endpointPhase } from "./endpoint-state";
import { type CallSubject, failureError, failureMessage } from "./failure-message";
import { renderCall } from "./render-call";
import { checkRegion } from "./region";
import { type ResolvedSettings, resolveSettings } from "./settings";
import type { SageMakerAgentOptions, SageMakerEndpointMeta } from "./types";

/** Display name of the agent (flytekit's connector name). */
export const SAGEMAKER_ENDPOINT_AGENT_NAME = "SageMaker Endpoint Connector";

const NAME_PATTERN = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;

/**
 * `sagemaker-endpoint` (async): creates a SageMaker endpoint from `custom.config` (CreateEndpoint
 * parameters with flytekit's placeholders) and waits for it to come into service.
 */
export class SageMakerEndpointAgent extends AsyncAgent<SageMakerEndpointMeta> {
  readonly name = SAGEMAKER_ENDPOINT_AGENT_NAME;
  readonly category: TaskCategory = { name: "sagemaker-endpoint", version: 0 };
  /** The `custom` keys this agent reads (flytekit's `SageMakerEndpointTask.get_custom`). */
  readonly customKeys = ["config", "region"] as const;
  private readonly settings: ResolvedSettings;
  private readonly clients: AwsClients;

  /** @param clients - share the SDK clients of another agent of this plugin */
  constructor(options: SageMakerAgentOptions = {}, clients?: AwsClients) {
    super();
    this.settings = resolveSettings(options);
    this.clients = clients ?? new AwsClients(this.settings.clients);
  }

  /** Closes the SDK clients' connections. */
  close(): void {
    this.clients.close();
  }

  /** Renders the config and calls CreateEndpoint; an endpoint that already exists counts as created. */
  async create(ctx: CreateContext): Promise<SageMakerEndpointMeta> {
    const custom = customOf(ctx.template);
    const call = await renderCall({
      config: custom.config,
      customRegion: custom.region,
      configuredRegion: this.settings.region,
      inputs: ctx.inputs,
      service: "sagemaker",
      integersFirst: false,
    });
    const endpointName = nameParameter(call.input, "EndpointName");
    const meta = { endpointName, region: call.region };
    const subject = subjectOf(meta, "CreateEndpoint");
    const outcome = await callAws(this.clients, ctx, {
      service: "sagemaker",
      region: call.region,
      command: "CreateEndpointCommand",
      input: call.input,
    });
    if (!outcome.ok) {
      if (outcome.failure.kind !== "exists") throw failureError(subject, outcome.failure);
      ctx.log.info({ endpointName, region: call.region }, "SageMaker endpoint already exists; waiting for it");
      return meta;
    }
    ctx.log.info({ endpointName, region: call.region }, "created SageMaker endpoint");
    return meta;
  }

  /** DescribeEndpoint, mapped through the state table; `InService` outputs `result = {EndpointArn}`. */
  async get(meta: SageMakerEndpointMeta, ctx: CallContext): Promise<Resource> {
    const outcome = await callAws(this.clients, ctx, {
      service: "sagemaker",
      region: meta.region,
      command: "DescribeEndpointCommand",
      input: { EndpointName: meta.endpointName },
    });
    const subject = subjectOf(meta, "DescribeEndpoint");
    if (!outcome.ok) {
      const { failure } = outcome;
      if (failure.kind === "unavailable") return { phase: Phase.RUNNING, message: failureMessage(subject, failure) };
      if (failure.kind === "missing") {
        return {
          phase: Phase.FAILED,
          message: `endpoint ${meta.endpointName} does not exist in ${meta.region} (deleted, or its creation was refused): ${failure.message}`,
        };
      }
      return { phase: Phase.FAILED, message: failureMessage(subject, failure) };
    }
    const described = outcome.response as { EndpointStatus?: string; FailureReason?: string; EndpointArn?: string };
    const state = endpointPhase(meta.endpointName, described.EndpointStatus, described.FailureReason);
    if (state.phase !== Phase.SUCCEEDED) return state;
    return { ...state, outputs: { literals: { result: msgpackLiteral({ EndpointArn: described.EndpointArn ?? null }) } } };
  }

  /** DeleteEndpoint; an endpoint that is already gone is fine. */
  async delete(meta: SageMakerEndpointMeta, ctx: CallContext): Promise<void> {
    const outcome = await callAws(this.clients, ctx, {
      service: "sagemaker",
      region: meta.region,
      command: "DeleteEndpointCommand",
      input: { EndpointName: meta.endpointName },
    });
    if (outcome.ok || outcome.failure.kind === "missing") return;
    const error = failureError(subjectOf(meta, "DeleteEndpoint"), outcome.failure);
    throw error.code === StatusCode.INVALID_ARGUMENT ? new AgentError(StatusCode.FAILED_PRECONDITION, error.message) : error;
  }

  protected override validateMeta(value: unknown): SageMakerEndpointMeta {
    const meta = expectMetaFields<SageMakerEndpointMeta>(value, { endpointName: "string", region: "string" });
    if (!NAME_PATTERN.test(meta.endpointName))
      throw new InvalidMetaError("resource_meta endpointName is not a SageMaker endpoint name");
    try {
      checkRegion(meta.region, "resource_meta region");
    } catch (err) {
      throw new InvalidMetaError((err as Error).message);
    }
    return { endpointName: meta.endpointName, region: meta.region };
  }
}

function subjectOf(meta: SageMakerEndpointMeta, operation: string): CallSubject {
  return { operation, resource: `endpoint ${meta.endpointName}`, region: meta.region };
}
