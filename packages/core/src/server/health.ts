import { type ServerWritableStream, status as Status } from "@grpc/grpc-js";
import type { ServiceHost } from "./service-host";
import { health } from "@flyte-agent/flyteidl";

/** The flyteidl 1 services whose health is reported, besides the whole server (""). */
export const AGENT_SERVICE_NAMES = [
  "flyteidl.service.AsyncAgentService",
  "flyteidl.service.SyncAgentService",
  "flyteidl.service.AgentMetadataService",
] as const;

/** The flyteidl2 connector services whose health is reported when v2 is served. */
export const CONNECTOR_SERVICE_NAMES = [
  "flyteidl2.connector.AsyncConnectorService",
  "flyteidl2.connector.ConnectorMetadataService",
] as const;

const ServingStatus = health.HealthCheckResponse_ServingStatus;
type ServingStatus = health.HealthCheckResponse_ServingStatus;
type Watcher = ServerWritableStream<health.HealthCheckRequest, health.HealthCheckResponse>;

/**
 * grpc.health.v1.Health (Check, Watch, List) for the server ("") and each agent service, on
 * the code generated from the health.proto of the grpc-health-check package (no .proto parsing
 * at start-up).
 */
export class HealthReporter {
  private readonly statuses = new Map<string, ServingStatus>();
  private readonly watchers = new Map<string, Set<Watcher>>();

  /** @param services the service names reported besides "" (default: the flyteidl 1 agent services) */
  constructor(private readonly services: readonly string[] = AGENT_SERVICE_NAMES) {
    this.setAll("NOT_SERVING");
  }

  /** Registers the Health service on a server. */
  addTo(server: ServiceHost): void {
    const impl: health.HealthServer = {
      check: (call, callback) => {
        const status = this.statuses.get(call.request.service);
        if (status === undefined) callback({ code: Status.NOT_FOUND, details: `unknown service "${call.request.service}"` });
        else callback(null, { status });
      },
      watch: (call) => this.watch(call),
      list: (_call, callback) => {
        const statuses: { [name: string]: health.HealthCheckResponse } = {};
        for (const [name, status] of this.statuses) statuses[name] = { status };
        callback(null, { statuses });
      },
    };
    server.addService(health.HealthService, impl);
  }

  /** Sets every reported service to one status (and tells watchers). */
  setAll(status: "SERVING" | "NOT_SERVING"): void {
    const value = status === "SERVING" ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
    for (const name of ["", ...this.services]) this.set(name, value);
  }

  private set(name: string, status: ServingStatus): void {
    if (this.statuses.get(name) === status) return;
    this.statuses.set(name, status);
    for (const w of this.watchers.get(name) ?? []) w.write({ status });
  }

  private watch(call: Watcher): void {
    const name = call.request.service;
    let set = this.watchers.get(name);
    if (!set) {
      set = new Set();
      this.watchers.set(name, set);
    }
    set.add(call);
    call.write({ status: this.statuses.get(name) ?? ServingStatus.SERVICE_UNKNOWN });
    call.once("cancelled", () => set.delete(call));
  }

  /** Ends every Watch stream (at shutdown, so connections can close). */
  endWatches(): void {
    for (const set of this.watchers.values()) {
      for (const w of set) w.end();
      set.clear();
    }
  }
}
