/**
 * PropellerClient and startTestServer over flyteidl2: the v2 client of a test server, the
 * connection sent with Create/Get/Delete, and ExecuteTaskSync refused without a call.
 */
import type { connector } from "@flyte-agent/flyteidl/v2";
import { toLiteralMap } from "@flyte-agent/core";
import { GrpcStatus, PropellerClient, pollTask, type RpcError, startTestServer, taskTemplate } from "../src";
import { startV2Bridge } from "../../core/test/fixtures/v2-bridge-server";
import { EchoAsyncAgent, EchoSyncAgent } from "./fixtures/echo-agents";

const CONNECTION = { taskType: "echo_async", secrets: { token: "t-123" }, configs: { mode: "fast" } };

test("clientFor gives the client of its protocol, made once and closed with the server", async () => {
  const server = await startTestServer({ agents: [new EchoAsyncAgent(10)] });
  const v2 = server.clientFor("v2");
  expect(server.clientFor("v1")).toBe(server.client);
  expect(server.client.protocol).toBe("v1");
  expect(v2.protocol).toBe("v2");
  expect(server.clientFor("v2")).toBe(v2);
  expect(v2.address).toBe(server.address);
  await server.close();
});

test("a v2 client lists connectors, runs a task and sends the connection with every call", async () => {
  const server = await startTestServer({ agents: [new EchoAsyncAgent(50), new EchoSyncAgent()] });
  const bridge = await startV2Bridge(server.address);
  const client = new PropellerClient(bridge.target, { protocol: "v2", connection: CONNECTION });
  try {
    const listed = await client.listAgents();
    expect(listed.map((a) => [a.name, a.isSync, a.supportedTaskTypes])).toEqual([["Echo Async", false, []]]);
    const run = await client.runTask({ template: taskTemplate({ type: "echo_async" }), inputs: toLiteralMap({ value: "x" }) });
    expect(run.sync).toBe(false);
    expect(run.resource.outputs?.literals.value).toBeDefined();
    const meta = await client.createTask({
      template: taskTemplate({ type: "echo_async" }),
      inputs: toLiteralMap({ value: "y" }),
    });
    await pollTask(client, { name: "echo_async", version: 0 }, meta, { pollIntervalMs: 20 });
    await client.deleteTask({ name: "echo_async", version: 0 }, meta);
    const sent = bridge.calls.filter((c) => c.operation !== "ListConnectors");
    expect(new Set(sent.map((c) => c.operation))).toEqual(new Set(["CreateTask", "GetTask", "DeleteTask"]));
    for (const call of sent) expect((call.request as connector.DeleteTaskRequest).connection).toEqual(CONNECTION);
  } finally {
    client.close();
    await bridge.close();
    await server.close();
  }
});

test("ExecuteTaskSync over v2 rejects with UNIMPLEMENTED naming the missing sync service", async () => {
  const client = new PropellerClient("127.0.0.1:1", { protocol: "v2" });
  try {
    for (const call of [
      client.executeTaskSync({ template: taskTemplate({ type: "echo_sync", version: 1 }) }),
      client.executeTaskSyncAll({ template: taskTemplate({ type: "echo_sync", version: 1 }) }),
    ]) {
      const err = (await call.then(
        () => undefined,
        (e: unknown) => e,
      )) as RpcError;
      expect(err.code).toBe(GrpcStatus.UNIMPLEMENTED);
      expect(err.details).toContain("flyteidl2 has no sync service");
    }
  } finally {
    client.close();
  }
});
