import { status } from "@grpc/grpc-js";
import { fromLiteralMap, Phase, toLiteralMap } from "@flyte-agent/core";
import { type RpcError, startTestServer, TaskRunError, taskTemplate } from "../src";
import echoPlugin, { EchoAsyncAgent } from "./fixtures/echo-agents";

describe("PropellerClient against a real server", () => {
  test("ListAgents shows each agent with its categories and sync flag", async () => {
    const { client } = await startTestServer({ plugins: [echoPlugin] });
    const agents = await client.listAgents();
    const byName = Object.fromEntries(agents.map((a) => [a.name, a]));
    expect(byName["Echo Async"]).toMatchObject({ isSync: false, supportedTaskTypes: ["echo_async"] });
    expect(byName["Echo Async"]?.supportedTaskCategories).toEqual([{ name: "echo_async", version: 0 }]);
    expect(byName["Echo Sync"]).toMatchObject({ isSync: true, supportedTaskTypes: [] });
    expect(byName["Echo Sync"]?.supportedTaskCategories).toEqual([{ name: "echo_sync", version: 1 }]);
  });

  test("runTask polls an async task from RUNNING to SUCCEEDED and records the timeline", async () => {
    const { client } = await startTestServer({ agents: [new EchoAsyncAgent(300)] });
    const run = await client.runTask({
      template: taskTemplate({ type: "echo_async" }),
      inputs: toLiteralMap({ value: "hello" }),
      pollIntervalMs: 50,
    });
    expect(run.sync).toBe(false);
    expect(run.timeline.map((t) => t.phaseName)).toEqual(["RUNNING", "SUCCEEDED"]);
    expect(run.timeline[0]?.message).toBe("echoing");
    expect(run.getTaskCalls).toBeGreaterThan(1);
    expect(fromLiteralMap(run.resource.outputs)).toEqual({ value: "hello" });
    expect(run.resourceMeta && JSON.parse(Buffer.from(run.resourceMeta).toString())).toMatchObject({ value: "hello" });
  });

  test("runTask routes a sync category to ExecuteTaskSync", async () => {
    const { client } = await startTestServer({ plugins: [echoPlugin] });
    const run = await client.runTask({
      template: taskTemplate({ type: "echo_sync", version: 1 }),
      inputs: toLiteralMap({ n: 3n }),
    });
    expect(run.sync).toBe(true);
    expect(run.phase).toBe(Phase.SUCCEEDED);
    expect(fromLiteralMap(run.resource.outputs)).toEqual({ n: 3n });
  });

  test("runTask sends DeleteTask and rejects when the timeout passes", async () => {
    const deleted: unknown[] = [];
    const agent = new EchoAsyncAgent(60_000);
    agent.delete = async (meta) => {
      deleted.push(meta);
    };
    const { client } = await startTestServer({ agents: [agent] });
    const err = await client
      .runTask({ template: taskTemplate({ type: "echo_async" }), pollIntervalMs: 20, timeoutMs: 200 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TaskRunError);
    expect((err as TaskRunError).message).toMatch(/did not finish within 200 ms; DeleteTask sent/);
    expect((err as TaskRunError).timeline.map((t) => t.phaseName)).toEqual(["RUNNING"]);
    expect(deleted).toHaveLength(1);
  });

  test("runTask sends DeleteTask when the caller aborts", async () => {
    let deletes = 0;
    const agent = new EchoAsyncAgent(60_000);
    agent.delete = async () => {
      deletes += 1;
    };
    const { client } = await startTestServer({ agents: [agent] });
    const abort = new AbortController();
    let firstReply: () => void = () => {};
    const seen = new Promise<void>((resolve) => {
      firstReply = resolve;
    });
    const runPromise = client
      .runTask({
        template: taskTemplate({ type: "echo_async" }),
        pollIntervalMs: 20,
        signal: abort.signal,
        onResource: () => firstReply(),
      })
      .catch((e: unknown) => e);
    await seen;
    abort.abort(new Error("user abort"));
    const err = await runPromise;
    expect((err as Error).message).toBe("user abort; DeleteTask sent");
    expect(deletes).toBe(1);
  });

  test("runTask fails after six GetTask errors, like propeller", async () => {
    const agent = new EchoAsyncAgent();
    let gets = 0;
    agent.get = async () => {
      gets += 1;
      throw new Error("external API down");
    };
    const { client } = await startTestServer({ agents: [agent] });
    const err = await client
      .runTask({ template: taskTemplate({ type: "echo_async" }), pollIntervalMs: 5 })
      .catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/^GetTask failed 6 times/);
    expect(gets).toBe(6);
  });

  test("an unknown category is not listed and CreateTask answers NOT_FOUND", async () => {
    const { client } = await startTestServer({ plugins: [echoPlugin] });
    await expect(client.runTask({ template: taskTemplate({ type: "nope" }) })).rejects.toThrow(
      /no agent listed by ListAgents serves task category nope@0/,
    );
    const err = (await client.createTask({ template: taskTemplate({ type: "nope" }) }).catch((e: unknown) => e)) as RpcError;
    expect(err.code).toBe(status.NOT_FOUND);
  });

  test("executeTaskSync on an async category fails with INVALID_ARGUMENT", async () => {
    const { client } = await startTestServer({ plugins: [echoPlugin] });
    const err = (await client
      .executeTaskSync({ template: taskTemplate({ type: "echo_async" }) })
      .catch((e: unknown) => e)) as RpcError;
    expect(err.code).toBe(status.INVALID_ARGUMENT);
    expect(err.details).toMatch(/call CreateTask/);
  });

  test("GetTask with another agent's resource_meta is refused with INVALID_ARGUMENT", async () => {
    const { client } = await startTestServer({ plugins: [echoPlugin] });
    const err = (await client
      .getTask({ name: "echo_async", version: 0 }, Buffer.from('{"jobId":"x"}'))
      .catch((e: unknown) => e)) as RpcError;
    expect(err.code).toBe(status.INVALID_ARGUMENT);
    expect(err.details).toMatch(/readyAt/);
  });
});
