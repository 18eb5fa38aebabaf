import * as grpc from "@grpc/grpc-js";
import { AgentRegistry, AgentServer, flyteidl } from "../src";

const { health } = flyteidl;
const S = health.HealthCheckResponse_ServingStatus;

describe("grpc.health.v1.Health", () => {
  let server: AgentServer;
  let client: InstanceType<typeof health.HealthClient>;

  beforeEach(async () => {
    server = new AgentServer({ registry: new AgentRegistry(), reflection: false });
    const port = await server.listen(0, "127.0.0.1");
    client = new health.HealthClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  });
  afterEach(async () => {
    client.close();
    await server.shutdown({ drainMs: 1000 });
  });

  const check = (service: string) =>
    new Promise<number>((resolve, reject) => client.check({ service }, (err, res) => (err ? reject(err) : resolve(res.status))));

  it("reports SERVING for the server and each agent service, NOT_FOUND for others", async () => {
    expect(await check("")).toBe(S.SERVING);
    expect(await check("flyteidl.service.AsyncAgentService")).toBe(S.SERVING);
    await expect(check("nope.Service")).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });
    const list = await new Promise<flyteidl.health.HealthListResponse>((resolve, reject) =>
      client.list({}, (err, res) => (err ? reject(err) : resolve(res))),
    );
    expect(Object.keys(list.statuses).sort()).toEqual([
      "",
      "flyteidl.service.AgentMetadataService",
      "flyteidl.service.AsyncAgentService",
      "flyteidl.service.SyncAgentService",
      "flyteidl2.connector.AsyncConnectorService",
      "flyteidl2.connector.ConnectorMetadataService",
    ]);
  });

  it("Watch streams SERVING, then NOT_SERVING when the server shuts down, then ends", async () => {
    const seen: number[] = [];
    const stream = client.watch({ service: "" });
    const ended = new Promise<void>((resolve) => {
      stream.on("end", () => resolve());
      stream.on("error", () => resolve());
    });
    await new Promise<void>((resolve) =>
      stream.on("data", (res: flyteidl.health.HealthCheckResponse) => {
        seen.push(res.status);
        if (seen.length === 1) resolve();
      }),
    );
    const stopping = server.shutdown({ drainMs: 2000 });
    await ended;
    await stopping;
    expect(seen).toEqual([S.SERVING, S.NOT_SERVING]);
  });
});
