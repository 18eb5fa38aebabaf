import type { Server } from "@grpc/grpc-js";
import { HealthImplementation } from "grpc-health-check";

/** The services whose health is reported, besides the whole server (""). */
export const AGENT_SERVICE_NAMES = [
  "flyteidl.service.AsyncAgentService",
  "flyteidl.service.SyncAgentService",
  "flyteidl.service.AgentMetadataService",
] as const;

/** grpc.health.v1.Health for the server ("") and each agent service. */
export class HealthReporter {
  private readonly impl = new HealthImplementation({});

  constructor() {
    this.setAll("NOT_SERVING");
  }

  addTo(server: Server): void {
    this.impl.addToServer(server);
  }

  /** Sets every reported service to one status. */
  setAll(status: "SERVING" | "NOT_SERVING"): void {
    this.impl.setStatus("", status);
    for (const name of AGENT_SERVICE_NAMES) this.impl.setStatus(name, status);
  }
}
