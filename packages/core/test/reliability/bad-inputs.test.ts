import { status } from "@grpc/grpc-js";
import { AgentRegistry, AgentServer, registerSecretValue, silentLogger } from "../../src";
import { defaultServeFlags } from "./fixtures/serve-defaults";
import { serverOptions } from "../../src/cli/serve";
import { BAD_INPUTS, type CaseContext } from "./bad-inputs.cases";
import { FAKE_SECRET, FaultyAgent, StrictAgent, StrictSyncAgent } from "./fixtures/agents";
import { RawClient } from "./fixtures/raw-client";
import { decodeGetReply, getTask, PATH } from "./fixtures/requests";

// Every case runs against the server exactly as `flyte-agent serve` builds it from its default
// flags (serverOptions), serving the test agents; one more server differs only in a 1 MiB limit.
const servers: AgentServer[] = [];
const clients: RawClient[] = [];

async function start(maxMessageSize?: number): Promise<{ server: AgentServer; client: RawClient; address: string }> {
  const registry = new AgentRegistry();
  const faulty = new FaultyAgent();
  for (const agent of [new StrictAgent(), faulty, new StrictSyncAgent()]) registry.register(agent);
  const flags = defaultServeFlags();
  const server = new AgentServer(
    serverOptions(maxMessageSize === undefined ? flags : { ...flags, maxMessageSize }, registry, silentLogger()),
  );
  const address = `127.0.0.1:${await server.listen(0, "127.0.0.1")}`;
  const client = new RawClient(address);
  servers.push(server);
  clients.push(client);
  return { server, client, address };
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}

beforeAll(() => registerSecretValue(FAKE_SECRET));

afterAll(async () => {
  for (const c of clients) c.close();
  await Promise.all(servers.map((s) => s.shutdown({ drainMs: 1000 })));
});

test("the table holds at least 30 bad inputs", () => {
  expect(BAD_INPUTS.length).toBeGreaterThanOrEqual(30);
  expect(new Set(BAD_INPUTS.map((c) => c.name)).size).toBe(BAD_INPUTS.length);
});

describe("served as flyte-agent serve serves by default", () => {
  let ctx: CaseContext;
  let main: AgentServer;

  beforeAll(async () => {
    const first = await start();
    main = first.server;
    const small = await start(1024 * 1024);
    const registry = main as unknown as { options: { registry: AgentRegistry } };
    const faulty = registry.options.registry.find({ name: "rel_faulty", version: 0 }) as FaultyAgent;
    ctx = { client: first.client, smallLimitClient: small.client, faulty, address: first.address };
  });

  describe.each(BAD_INPUTS.map((c) => [c.name, c] as const))("%s", (_name, testCase) => {
    test(`answers ${status[testCase.code]}, then the server still serves`, async () => {
      const outcome = await testCase.send(ctx);
      expect({ code: status[outcome.code], details: outcome.details }).toEqual({
        code: status[testCase.code],
        details: testCase.details ? expect.stringMatching(testCase.details) : expect.any(String),
      });
      for (const forbidden of testCase.mustNotContain ?? []) expect(outcome.details).not.toContain(forbidden);

      // The server still serves: health, and a real GetTask round trip.
      await expect(ctx.client.health()).resolves.toBe("SERVING");
      const ok = await ctx.client.unary(PATH.get, getTask(["rel_task", 1], { jobId: "job-7", n: 7 }));
      expect(status[ok.code]).toBe("OK");
      expect(decodeGetReply(ok.reply).resource?.message).toBe("job job-7 done");
      // Nothing is left running inside the server (deadline and cancel paths release their call).
      await waitFor(() => main.inFlight === 0, "in-flight calls to drain");
    });
  });

  test("metric labels stay small whatever the task types clients sent", async () => {
    const body = await main.metrics.registry.metrics();
    const taskTypes = new Set([...body.matchAll(/task_type="([^"]*)"/g)].map((m) => m[1]));
    // Only registered categories and "unknown" become labels: the 1 MiB and unknown names above do not.
    expect([...taskTypes].sort()).toEqual(expect.arrayContaining(["rel_task", "unknown"]));
    for (const t of taskTypes) expect(["rel_task", "rel_faulty", "rel_sync", "unknown"]).toContain(t);
    expect(body).not.toMatch(/no_such_task|t{201}/);
  });
});
