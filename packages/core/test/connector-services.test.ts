/**
 * The flyteidl2 connector services next to the flyteidl 1 agent services on one port: which
 * protocols are served (`protocols`), health per service name, reflection, the protocol label
 * of the metrics and the deprecated metric names. Wire behaviour with a client we did not
 * write is tested in @flyte-agent/testing (test/connector-server.test.ts).
 */
import * as grpc from "@grpc/grpc-js";
import { service as v2service } from "@flyte-agent/flyteidl/v2";
import { AgentMetrics, AgentRegistry, AgentServer, flyteidl, parseProtocols, type Protocol } from "../src";
import { checkHealth, listServices } from "./fixtures/probe";

const V1 = ["flyteidl.service.AsyncAgentService", "flyteidl.service.SyncAgentService", "flyteidl.service.AgentMetadataService"];
const V2 = ["flyteidl2.connector.AsyncConnectorService", "flyteidl2.connector.ConnectorMetadataService"];

const servers: AgentServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.shutdown({ drainMs: 500 });
});

async function start(protocols?: Protocol[], metrics?: AgentMetrics): Promise<string> {
  const server = new AgentServer({ registry: new AgentRegistry(), protocols, metrics });
  servers.push(server);
  return `127.0.0.1:${await server.listen(0, "127.0.0.1")}`;
}

function listConnectors(address: string): Promise<{ code: number } | { connectors: unknown[] }> {
  const client = new v2service.ConnectorMetadataServiceClient(address, grpc.credentials.createInsecure());
  return new Promise((resolve) =>
    client.listConnectors({}, (err, res) => {
      client.close();
      resolve(err ? { code: err.code } : { connectors: res.connectors });
    }),
  );
}

function listAgents(address: string): Promise<{ code: number } | { agents: unknown[] }> {
  const client = new flyteidl.service.AgentMetadataServiceClient(address, grpc.credentials.createInsecure());
  return new Promise((resolve) =>
    client.listAgents({}, (err, res) => {
      client.close();
      resolve(err ? { code: err.code } : { agents: res.agents });
    }),
  );
}

describe("protocols served on one port", () => {
  it("serves both by default: health SERVING and reflection for every service", async () => {
    const address = await start();
    for (const name of ["", ...V1, ...V2]) expect([name, await checkHealth(address, name)]).toEqual([name, "SERVING"]);
    expect(await listServices(address)).toEqual(expect.arrayContaining([...V1, ...V2]));
    expect(await listConnectors(address)).toEqual({ connectors: [] });
    expect(await listAgents(address)).toEqual({ agents: [] });
  });

  it("v1 only: the flyteidl2 services are UNIMPLEMENTED, unknown to health and absent from reflection", async () => {
    const address = await start(["v1"]);
    expect(await listConnectors(address)).toEqual({ code: grpc.status.UNIMPLEMENTED });
    await expect(checkHealth(address, V2[0])).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });
    const services = await listServices(address);
    expect(services).toEqual(expect.arrayContaining(V1));
    for (const name of V2) expect(services).not.toContain(name);
  });

  it("v2 only: the flyteidl 1 services are UNIMPLEMENTED, unknown to health and absent from reflection", async () => {
    const address = await start(["v2"]);
    expect(await listAgents(address)).toEqual({ code: grpc.status.UNIMPLEMENTED });
    expect(await listConnectors(address)).toEqual({ connectors: [] });
    await expect(checkHealth(address, V1[0])).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });
    expect(await checkHealth(address, V2[1])).toBe("SERVING");
    const services = await listServices(address);
    expect(services).toEqual(expect.arrayContaining(V2));
    for (const name of V1) expect(services).not.toContain(name);
  });

  it("refuses an empty protocol list", () => {
    expect(() => new AgentServer({ registry: new AgentRegistry(), protocols: [] })).toThrow("at least one protocol");
  });
});

describe("parseProtocols", () => {
  it.each([
    ["v1,v2", ["v1", "v2"]],
    ["v2", ["v2"]],
    [" V2 , v1,v2", ["v1", "v2"]],
  ])("reads %j", (text, expected) => {
    expect(parseProtocols(text)).toEqual(expected);
  });
  it.each(["", "v3", "v1,,v2", "grpc"])("refuses %j, naming the entry and the accepted values", (text) => {
    expect(() => parseProtocols(text)).toThrow(/unknown protocol "[^"]*"; expected a comma-separated list of v1, v2/);
  });
});

describe("metrics", () => {
  it("label each call with its protocol, under the flyte_connector_ names", async () => {
    const metrics = new AgentMetrics({ defaultMetrics: false, legacy: false });
    const address = await start(undefined, metrics);
    await listConnectors(address);
    await listAgents(address);
    const text = await metrics.registry.metrics();
    expect(text).toMatch(
      /flyte_connector_requests_success_total\{task_type="unknown",operation="list_connectors",protocol="v2"\} 1/,
    );
    expect(text).toMatch(/flyte_connector_requests_success_total\{task_type="unknown",operation="list_agents",protocol="v1"\} 1/);
    expect(text).toMatch(
      /flyte_connector_request_latency_seconds_count\{task_type="unknown",operation="list_connectors",protocol="v2"\} 1/,
    );
    // The deprecated names only (flyte_agent_build_info and the external API metrics are not deprecated).
    expect(text).not.toMatch(/flyte_agent_(requests_|request_latency|input_literal)/);
  });

  it("also record the deprecated flyte_agent_ names, with their old labels, when asked", async () => {
    const metrics = new AgentMetrics({ defaultMetrics: false, legacy: true });
    const address = await start(undefined, metrics);
    await listAgents(address);
    metrics.observe("bigquery_query_job_task", "create", 0.01, "INVALID_ARGUMENT", "v2");
    metrics.observeInputBytes("bigquery_query_job_task", 300, "v2");
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/flyte_agent_requests_success_total\{task_type="unknown",operation="list_agents"\} 1/);
    expect(text).toMatch(
      /flyte_agent_requests_failure_total\{task_type="bigquery_query_job_task",operation="create",error_code="INVALID_ARGUMENT"\} 1/,
    );
    expect(text).toMatch(
      /flyte_connector_requests_failure_total\{task_type="bigquery_query_job_task",operation="create",error_code="INVALID_ARGUMENT",protocol="v2"\} 1/,
    );
    expect(text).toMatch(/flyte_agent_input_literal_bytes_count\{task_type="bigquery_query_job_task"\} 1/);
    expect(text).toMatch(/flyte_connector_input_literal_bytes_count\{task_type="bigquery_query_job_task",protocol="v2"\} 1/);
  });

  it("read FLYTE_AGENT_LEGACY_METRICS when the option is not given", () => {
    const saved = process.env.FLYTE_AGENT_LEGACY_METRICS;
    try {
      process.env.FLYTE_AGENT_LEGACY_METRICS = "true";
      expect(new AgentMetrics({ defaultMetrics: false }).legacyNames).toBe(true);
      process.env.FLYTE_AGENT_LEGACY_METRICS = "0";
      expect(new AgentMetrics({ defaultMetrics: false }).legacyNames).toBe(false);
    } finally {
      if (saved === undefined) delete process.env.FLYTE_AGENT_LEGACY_METRICS;
      else process.env.FLYTE_AGENT_LEGACY_METRICS = saved;
    }
  });
});
