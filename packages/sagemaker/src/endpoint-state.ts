import { Phase, type Resource } from "@flyte-agent/core";

/** How each `EndpointStatus` of DescribeEndpoint maps to a phase (documented in the README). */
export const ENDPOINT_PHASES: Readonly<Record<string, "RUNNING" | "SUCCEEDED" | "FAILED">> = {
  Creating: "RUNNING",
  Updating: "RUNNING",
  SystemUpdating: "RUNNING",
  RollingBack: "RUNNING",
  InService: "SUCCEEDED",
  Failed: "FAILED",
  OutOfService: "FAILED",
  Deleting: "FAILED",
  UpdateRollbackFailed: "FAILED",
};

/** The phase and message of an endpoint status (outputs are added by the agent on SUCCEEDED). */
export function endpointPhase(
  endpointName: string,
  status: string | undefined,
  failureReason: string | undefined,
): Pick<Resource, "phase" | "message"> {
  const mapped = status === undefined ? undefined : ENDPOINT_PHASES[status];
  switch (mapped) {
    case "SUCCEEDED":
      return { phase: Phase.SUCCEEDED, message: `endpoint ${endpointName} is InService` };
    case "RUNNING":
      return { phase: Phase.RUNNING, message: status === "Creating" ? undefined : `endpoint ${endpointName} is ${status}` };
    case "FAILED":
      return {
        phase: Phase.FAILED,
        message:
          status === "Failed"
            ? `endpoint ${endpointName} failed: ${failureReason ?? "no FailureReason given"}`
            : `endpoint ${endpointName} is ${status}${failureReason ? `: ${failureReason}` : ""}; it will not come into service on its own`,
      };
    default:
      return {
        phase: Phase.RUNNING,
        message: `endpoint ${endpointName} reports an unknown status ${String(status).slice(0, 64)}; waiting`,
      };
  }
}
