import { type ExecuteContext, Phase, type Resource, SyncAgent, type TaskCategory } from "@flyte-agent/core";
import { callAws } from "./aws-call";
import { AwsClients } from "./aws-clients";
import { arnInMessage } from "./aws-errors";
import { type BotoMethod, findBotoMethod } from "./boto-methods";
import { botoOutputs } from "./boto-output";
import { customOf, nameParameter } from "./custom";
import { failureMessage } from "./failure-message";
import { type OutputValue, plainResponse } from "./plain-output";
import { renderCall } from "./render-call";
import { type ResolvedSettings, resolveSettings } from "./settings";
import type { SageMakerAgentOptions } from "./types";

/** Display name of the agent (flytekit's connector name). */
export const BOTO_AGENT_NAME = "Boto Connector";

/** InvokeEndpoint's body: text as UTF-8, a dict or list as its JSON text, bytes as they are. */
function requestBody(body: unknown): unknown {
  if (body === undefined || body === null || body instanceof Uint8Array) return body;
  if (typeof body === "string") return Buffer.from(body, "utf8");
  return Buffer.from(JSON.stringify(body), "utf8");
}

/**
 * `boto` (sync): one call of a supported boto3 method (`custom.service`, `custom.method`) with
 * `custom.config` rendered as flytekit renders it, through the matching AWS SDK v3 command.
 * Outputs `result` and `idempotence_token`.
 */
export class BotoAgent extends SyncAgent {
  readonly name = BOTO_AGENT_NAME;
  readonly category: TaskCategory = { name: "boto", version: 0 };
  /** The `custom` keys this agent reads (flytekit's `BotoTask.get_custom`). */
  readonly customKeys = ["service", "method", "config", "region", "images"] as const;
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

  async do(ctx: ExecuteContext): Promise<Resource> {
    const custom = customOf(ctx.template);
    const method = findBotoMethod(custom.service, custom.method);
    const call = await renderCall({
      config: custom.config,
      images: custom.images,
      customRegion: custom.region,
      configuredRegion: this.settings.region,
      inputs: ctx.inputs,
      service: method.service,
      integersFirst: true,
    });
    const resourceName = nameParameter(call.input, method.resourceParam);
    const input = method.service === "sagemaker-runtime" ? { ...call.input, Body: requestBody(call.input.Body) } : call.input;
    if (input.Body === undefined) delete input.Body;
    const subject = { operation: method.operation, resource: `${resourceKind(method)} ${resourceName}`, region: call.region };
    const outcome = await callAws(this.clients, ctx, {
      service: method.service,
      region: call.region,
      command: method.command,
      input,
    });
    if (outcome.ok) {
      const body = (outcome.response as { Body?: unknown }).Body;
      if (body instanceof Uint8Array && body.byteLength > this.settings.maxResponseBodyBytes) {
        return {
          phase: Phase.FAILED,
          message: `${method.operation} of ${subject.resource} in ${call.region} answered a Body of ${body.byteLength} bytes, more than the ${this.settings.maxResponseBodyBytes} bytes a result may hold (the agent's maxResponseBodyBytes); use invoke_endpoint_async for large answers`,
        };
      }
      ctx.log.info({ operation: method.operation, resource: resourceName, region: call.region }, "boto call succeeded");
      return { phase: Phase.SUCCEEDED, outputs: botoOutputs(ctx.template, resultOf(method, outcome.response), call.token) };
    }
    const { failure } = outcome;
    if (failure.kind === "exists") {
      const arn = arnInMessage(failure.message);
      const result: { [key: string]: OutputValue } = arn
        ? method.resultField
          ? { [method.resultField]: arn }
          : { result: `Entity already exists ${arn}.` }
        : { result: "Entity already exists." };
      return {
        phase: Phase.SUCCEEDED,
        message: arn
          ? `${subject.resource} already existed (${arn})`
          : `${subject.resource} already existed; AWS's answer names no ARN, so result has none: ${failure.message}`,
        outputs: botoOutputs(ctx.template, result, call.token),
      };
    }
    const message = failureMessage(subject, failure);
    return { phase: failure.kind === "unavailable" ? Phase.RETRYABLE_FAILED : Phase.FAILED, message };
  }
}

function resourceKind(method: BotoMethod): string {
  return (
    { ModelName: "model", EndpointConfigName: "endpoint config", EndpointName: "endpoint" }[method.resourceParam] ?? "resource"
  );
}

/** `{ModelArn}` / `{EndpointConfigArn}` as flytekit keeps them, otherwise the whole response as plain data. */
function resultOf(method: BotoMethod, response: unknown): { [key: string]: OutputValue } {
  const plain = plainResponse(response);
  const record = typeof plain === "object" && plain !== null && !Array.isArray(plain) ? plain : { result: plain };
  if (method.resultField) return { [method.resultField]: record[method.resultField] ?? null };
  return record;
}
