import { type AsyncAgent, fromLiteralMap, Phase, TaskInputError } from "@flyte-agent/core";
import { agentTestContext, taskTemplate, testExecutionMetadata } from "@flyte-agent/testing";
import { CustomAsyncAgent, type CustomJobMeta, CustomSyncAgent } from "../src";

// The agents called directly, without a server: agentTestContext builds what the server would
// pass to create/get/delete/do from a template and plain inputs.

const template = (custom: { durationSeconds?: number | string; fail?: boolean } = {}) =>
  taskTemplate({ type: "custom_task", custom, inputs: { x: "integer", name: "string" } });

describe("CustomAsyncAgent", () => {
  // Typed as the server sees it: every method gets its context.
  const agent: AsyncAgent<CustomJobMeta> = new CustomAsyncAgent();

  test("create keeps what get needs in resource_meta; get answers RUNNING, then SUCCEEDED with the inputs", async () => {
    const ctx = agentTestContext({ template: template({ durationSeconds: 60 }), inputs: { x: 42n, name: "flyte" } });
    const meta = await agent.create(ctx.createContext());
    expect(meta).toMatchObject({ durationMs: 60_000, fail: false });

    const running = await agent.get(meta, ctx.getContext());
    expect(running.phase).toBe(Phase.RUNNING);
    expect(running.message).toMatch(new RegExp(`^job ${meta.jobId} running, (60|59) s left$`));

    // The job's end is a moment in resource_meta: ask as if that moment had passed.
    const done = await agent.get({ ...meta, startedAt: meta.startedAt - meta.durationMs }, ctx.getContext());
    expect(done.phase).toBe(Phase.SUCCEEDED);
    expect(fromLiteralMap(done.outputs)).toEqual({ x: 42n, name: "flyte" });
    expect(ctx.log.messages("error")).toEqual([]);
  });

  test("the job id is the same for a repeated create of one attempt and differs for the next attempt", async () => {
    const first = agentTestContext({ template: template(), taskExecutionMetadata: testExecutionMetadata("exec-1", 0) });
    const retry = agentTestContext({ template: template(), taskExecutionMetadata: testExecutionMetadata("exec-1", 1) });
    const a = await agent.create(first.createContext());
    const b = await agent.create(first.createContext());
    const c = await agent.create(retry.createContext());
    expect(b.jobId).toBe(a.jobId);
    expect(c.jobId).not.toBe(a.jobId);
  });

  test("fail: true ends FAILED with a message; delete is OK on a finished job", async () => {
    const ctx = agentTestContext({ template: template({ durationSeconds: 0, fail: true }) });
    const meta = await agent.create(ctx.createContext());
    const resource = await agent.get(meta, ctx.getContext());
    expect(resource.phase).toBe(Phase.FAILED);
    expect(resource.message).toBe(`job ${meta.jobId} failed because the task set custom.fail = true`);
    await expect(agent.delete(meta, ctx.deleteContext())).resolves.toBeUndefined();
  });

  test("a wrong custom field and inputs too large for resource_meta are TaskInputErrors", async () => {
    const wrong = agentTestContext({ template: template({ durationSeconds: "soon" }) });
    await expect(agent.create(wrong.createContext())).rejects.toThrow(TaskInputError);
    const big = agentTestContext({ template: template(), inputs: { name: "x".repeat(2000) } });
    await expect(agent.create(big.createContext())).rejects.toThrow(/accepts at most 640/);
  });
});

describe("CustomSyncAgent", () => {
  test("do answers SUCCEEDED with its inputs as outputs", async () => {
    const ctx = agentTestContext({ template: taskTemplate({ type: "custom_sync_task" }), inputs: { greeting: "hello" } });
    const resource = await new CustomSyncAgent().do(ctx.executeContext());
    expect(resource.phase).toBe(Phase.SUCCEEDED);
    expect(fromLiteralMap(resource.outputs)).toEqual({ greeting: "hello" });
  });
});
