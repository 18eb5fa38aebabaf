import type { CallContext } from "@flyte-agent/core";
import type { AwsClients } from "./aws-clients";
import { type AwsFailure, classifyAwsError } from "./aws-errors";
import type { BotoService } from "./boto-methods";
import { callBudget } from "./call-budget";

/** One AWS call: service, region, SDK command and its input. */
export interface AwsRequest {
  service: BotoService;
  region: string;
  /** The SDK v3 command class name, e.g. `DescribeEndpointCommand`. */
  command: string;
  input: unknown;
}

/** The outcome of {@link callAws}: the response, or a classified failure. */
export type AwsOutcome = { ok: true; response: unknown } | { ok: false; failure: AwsFailure };

/**
 * Sends one request through the SDK (which retries throttling, 5xx and network errors with its
 * standard strategy) within the RPC's time: the retries stop shortly before the deadline, and
 * the outcome then is an `unavailable` failure saying so.
 */
export async function callAws(clients: AwsClients, ctx: CallContext, request: AwsRequest): Promise<AwsOutcome> {
  const budget = callBudget(ctx);
  try {
    const response = await clients.send(request.service, request.region, request.command, request.input, budget.signal);
    return { ok: true, response };
  } catch (err) {
    if (budget.signal.aborted) {
      const why = budget.expired() ? "before the call's deadline" : "before the call was cancelled";
      return {
        ok: false,
        failure: {
          kind: "unavailable",
          code: "Timeout",
          message: `no answer from AWS ${why} (the SDK was still retrying throttling, 5xx or network errors)`,
        },
      };
    }
    const failure = classifyAwsError(err, await clients.credentialValues(request.service, request.region));
    ctx.log.warn(
      { code: failure.code, status: failure.status, command: request.command, region: request.region },
      "AWS call failed",
    );
    return { ok: false, failure };
  } finally {
    budget.done();
  }
}
