import { AgentError, StatusCode } from "@flyte-agent/core";
import type { AwsFailure } from "./aws-errors";

/** What an AWS call was about, for messages: operation, resource and region. */
export interface CallSubject {
  /** The AWS operation, e.g. `CreateEndpoint`. */
  operation: string;
  /** e.g. `endpoint xgboost-endpoint-1a2b`. */
  resource: string;
  region: string;
}

const WHY: Record<AwsFailure["kind"], string> = {
  unavailable: "AWS is throttling or unavailable",
  unauthenticated: "AWS refused the credentials (check the agent's AWS credentials: environment, IRSA role, instance profile)",
  denied: "access denied (the agent's IAM role may not do this)",
  exists: "it already exists",
  missing: "it does not exist",
  quota: "a service quota is exhausted",
  invalid: "AWS refused the request as invalid",
  refused: "AWS refused the request",
};

/** `CreateEndpoint of endpoint e in us-east-1 failed: access denied (...): AccessDeniedException: <AWS's message>`. */
export function failureMessage(subject: CallSubject, failure: AwsFailure): string {
  return `${subject.operation} of ${subject.resource} in ${subject.region} failed: ${WHY[failure.kind]}: ${failure.code}: ${failure.message}`;
}

/** The gRPC error of a failed call whose answer is an error (CreateTask, DeleteTask). */
export function failureError(subject: CallSubject, failure: AwsFailure): AgentError {
  const code = {
    unavailable: StatusCode.UNAVAILABLE,
    unauthenticated: StatusCode.UNAUTHENTICATED,
    denied: StatusCode.PERMISSION_DENIED,
    exists: StatusCode.ALREADY_EXISTS,
    missing: StatusCode.INVALID_ARGUMENT,
    quota: StatusCode.RESOURCE_EXHAUSTED,
    invalid: StatusCode.INVALID_ARGUMENT,
    refused: StatusCode.FAILED_PRECONDITION,
  }[failure.kind];
  return new AgentError(code, failureMessage(subject, failure));
}
