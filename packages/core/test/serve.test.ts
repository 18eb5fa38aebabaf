/** `flyte-agent serve` as a real child process: health, ListAgents, reflection, metrics, TLS, mTLS, SIGTERM. */
import * as grpc from "@grpc/grpc-js";
import { flyteidl } from "../src";
import { makeCerts, type TestCerts } from "./fixtures/certs";
import { checkHealth, listServices } from "./fixtures/probe";
import { startServe, type ServeProcess, waitForOutput } from "./fixtures/serve-process";

const running: ServeProcess[] = [];
afterEach(() => {
  for (const p of running.splice(0)) if (p.child.exitCode === null) p.child.kill("SIGKILL");
});

async function serve(args: string[] = [], env: NodeJS.ProcessEnv = {}) {
  const p = await startServe(args, env);
  running.push(p);
  return p;
}

function listAgents(address: string, creds: grpc.ChannelCredentials): Promise<flyteidl.admin.Agent[]> {
  const client = new flyteidl.service.AgentMetadataServiceClient(address, creds);
  return new Promise((resolve, reject) =>
    client.listAgents({}, new grpc.Metadata(), { deadline: Date.now() + 3000 }, (err, res) => {
      client.close();
      if (err) reject(err);
      else resolve(res.agents);
    }),
  );
}

describe("flyte-agent serve", () => {
  it("serves health, ListAgents, reflection and metrics over plaintext, and exits 0 on SIGTERM", async () => {
    const p = await serve();
    const address = `127.0.0.1:${p.port}`;
    const insecure = grpc.credentials.createInsecure();
    expect(await checkHealth(address)).toBe("SERVING");
    for (const s of [
      "flyteidl.service.AsyncAgentService",
      "flyteidl.service.SyncAgentService",
      "flyteidl.service.AgentMetadataService",
    ]) {
      expect(await checkHealth(address, s)).toBe("SERVING");
    }
    const agents = await listAgents(address, insecure);
    expect(agents.map((a) => a.name).sort()).toEqual(["Instant Agent", "Slow Agent"]);
    const services = await listServices(address);
    expect(services).toEqual(
      expect.arrayContaining(["flyteidl.service.AsyncAgentService", "flyteidl.service.AgentMetadataService"]),
    );

    const client = new flyteidl.service.AsyncAgentServiceClient(address, insecure);
    await new Promise((resolve, reject) =>
      client.createTask(flyteidl.admin.CreateTaskRequest.fromPartial({ template: { type: "instant" } }), (err, res) =>
        err ? reject(err) : resolve(res),
      ),
    );
    client.close();
    const metrics = await fetch(`http://127.0.0.1:${p.metricsPort}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/flyte_connector_requests_success_total\{task_type="instant",operation="create",protocol="v1"\} 1/);
    expect(metrics).toMatch(
      /flyte_connector_request_latency_seconds_bucket\{le="[^"]+",task_type="instant",operation="create",protocol="v1"\}/,
    );
    // Request lines leave in batches (at most 100 ms apart): wait for this one.
    await waitForOutput(p, '"operation":"create","category":"instant@0"');
    expect(p.output()).toMatch(/"operation":"create","category":"instant@0","agent":"Instant Agent","status":"OK","durationMs":/);
    expect(p.output()).toMatch(/Instant Agent\s+instant@0\s+async/);

    p.child.kill("SIGTERM");
    expect(await p.exited).toBe(0);
  });

  it("lets in-flight calls finish on SIGTERM", async () => {
    const p = await serve([], { SLOW_AGENT_MS: "800" });
    const client = new flyteidl.service.AsyncAgentServiceClient(`127.0.0.1:${p.port}`, grpc.credentials.createInsecure());
    const created = new Promise<flyteidl.admin.CreateTaskResponse>((resolve, reject) =>
      client.createTask(
        flyteidl.admin.CreateTaskRequest.fromPartial({ template: { type: "slow", taskTypeVersion: 1 } }),
        (err, res) => (err ? reject(err) : resolve(res)),
      ),
    );
    await waitForOutput(p, "slow create started");
    p.child.kill("SIGTERM");
    const res = await created;
    client.close();
    expect(Buffer.from(res.resourceMeta).toString()).toBe('{"id":"slow"}');
    expect(await p.exited).toBe(0);
  });

  describe("TLS", () => {
    let certs: TestCerts;
    beforeAll(() => {
      certs = makeCerts();
    });

    it("serves TLS with --tls-cert/--tls-key", async () => {
      const p = await serve(["--tls-cert", certs.serverCertFile, "--tls-key", certs.serverKeyFile]);
      const address = `127.0.0.1:${p.port}`;
      const tls = grpc.credentials.createSsl(certs.caCert);
      expect(await checkHealth(address, "", tls)).toBe("SERVING");
      expect((await listAgents(address, tls)).length).toBe(2);
      expect(await listServices(address, tls)).toContain("flyteidl.service.SyncAgentService");
      await expect(listAgents(address, grpc.credentials.createInsecure())).rejects.toMatchObject({
        code: grpc.status.UNAVAILABLE,
      });
    });

    it("requires a client certificate with --tls-client-ca (mutual TLS)", async () => {
      const p = await serve([
        "--tls-cert",
        certs.serverCertFile,
        "--tls-key",
        certs.serverKeyFile,
        "--tls-client-ca",
        certs.caCertFile,
      ]);
      const address = `127.0.0.1:${p.port}`;
      const mtls = grpc.credentials.createSsl(certs.caCert, certs.clientKey, certs.clientCert);
      expect(await checkHealth(address, "", mtls)).toBe("SERVING");
      expect((await listAgents(address, mtls)).map((a) => a.name)).toContain("Slow Agent");
      await expect(listAgents(address, grpc.credentials.createSsl(certs.caCert))).rejects.toMatchObject({
        code: grpc.status.UNAVAILABLE,
      });
    });
  });
});
