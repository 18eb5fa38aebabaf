import { join } from "node:path";
import { fromLiteralMap, Phase, toLiteralMap } from "@flyte-agent/core";
import {
  GrpcStatus,
  pollTask,
  type RpcError,
  startServerProcess,
  startTestServer,
  taskTemplate,
  testExecutionMetadata,
} from "@flyte-agent/testing";
import plugin from "../src";

const builtPlugin = join(__dirname, "..", "dist", "index.js");
const category = { name: "custom_task", version: 0 };
const rpcError = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: RpcError) => e,
  );

describe("custom_task driven over gRPC", () => {
  test("goes RUNNING -> SUCCEEDED with its inputs as outputs when GetTask goes to another process", async () => {
    const creator = await startServerProcess({ modules: [builtPlugin] });
    const poller = await startServerProcess({ modules: [builtPlugin] });
    const inputs = toLiteralMap({ x: 42n, name: "flyte", ratio: 0.5, tags: ["a", "b"] });
    const meta = await creator.client.createTask({
      template: taskTemplate({ type: "custom_task", custom: { durationSeconds: 2 } }),
      inputs,
    });
    expect(meta.length).toBeLessThan(1024);
    // Asked at once, so a slow machine has the whole 2 s to answer before the job is done.
    expect((await poller.client.getTask(category, meta)).phase).toBe(Phase.RUNNING);
    await creator.close(); // the process that ran CreateTask is gone
    const done = await pollTask(poller.client, category, meta, { pollIntervalMs: 50 });
    // RUNNING once more unless closing the creator outlasted the job; SUCCEEDED in any case.
    expect(done.timeline.map((t) => t.phaseName).filter((p) => p !== "RUNNING")).toEqual(["SUCCEEDED"]);
    expect(fromLiteralMap(done.resource.outputs)).toEqual({ x: 42n, name: "flyte", ratio: 0.5, tags: ["a", "b"] });
  });

  test("durationSeconds defaults to 1 second", async () => {
    const { client } = await startTestServer({ plugins: [plugin] });
    const run = await client.runTask({ template: taskTemplate({ type: "custom_task" }), pollIntervalMs: 50 });
    expect(run.timeline.map((t) => t.phaseName)).toEqual(["RUNNING", "SUCCEEDED"]);
    // The job's own clock (kept in resource_meta) rather than the gap between two polls, which a
    // busy machine stretches or shrinks: the job lasts 1 s and is not seen done before that.
    const job = JSON.parse(Buffer.from(run.resourceMeta!).toString()) as { startedAt: number; durationMs: number };
    expect(job.durationMs).toBe(1000);
    const succeededAt = run.timeline[1]!.at.getTime();
    expect(succeededAt).toBeGreaterThanOrEqual(job.startedAt + 1000);
    expect(succeededAt).toBeLessThan(job.startedAt + 10_000);
  });

  test("a repeated CreateTask for the same attempt succeeds and names the same job", async () => {
    const { client } = await startTestServer({ plugins: [plugin] });
    const request = {
      template: taskTemplate({ type: "custom_task", custom: { durationSeconds: 0 } }),
      taskExecutionMetadata: testExecutionMetadata("exec-1", 2),
    };
    const first = JSON.parse(Buffer.from(await client.createTask(request)).toString());
    const second = JSON.parse(Buffer.from(await client.createTask(request)).toString());
    expect(first.jobId).toBe("flytesnacks-development-exec-1-n0-2");
    expect(second.jobId).toBe(first.jobId);
  });

  test("DeleteTask is OK twice on a finished job", async () => {
    const { client } = await startTestServer({ plugins: [plugin] });
    const run = await client.runTask({ template: taskTemplate({ type: "custom_task", custom: { durationSeconds: 0 } }) });
    expect(run.phase).toBe(Phase.SUCCEEDED);
    await expect(client.deleteTask(category, run.resourceMeta!)).resolves.toBeUndefined();
    await expect(client.deleteTask(category, run.resourceMeta!)).resolves.toBeUndefined();
  });

  test("fail: true ends FAILED with a message", async () => {
    const { client } = await startTestServer({ plugins: [plugin] });
    const run = await client.runTask({
      // 1 s of RUNNING polled every 20 ms: the first GetTask sees it even on a loaded machine
      // (with 0.1 s, a CreateTask answered late on a busy CI machine left no RUNNING to see).
      template: taskTemplate({ type: "custom_task", custom: { durationSeconds: 1, fail: true } }),
      pollIntervalMs: 20,
    });
    expect(run.timeline.map((t) => t.phaseName)).toEqual(["RUNNING", "FAILED"]);
    expect(run.resource.message).toMatch(/failed because the task set custom.fail = true/);
  });

  test("the sync example answers ExecuteTaskSync with one terminal header holding its inputs", async () => {
    const { client } = await startTestServer({ plugins: [plugin] });
    const inputs = toLiteralMap({ greeting: "hello" });
    const replies = await client.executeTaskSyncAll({ template: taskTemplate({ type: "custom_sync_task" }), inputs });
    expect(replies).toHaveLength(1);
    const header = replies[0]?.res;
    expect(header?.$case).toBe("header");
    const resource = header?.$case === "header" ? header.value.resource : undefined;
    expect(resource?.phase).toBe(Phase.SUCCEEDED);
    expect(fromLiteralMap(resource?.outputs)).toEqual({ greeting: "hello" });
  });

  test("ExecuteTaskSync on the async category fails fast with INVALID_ARGUMENT", async () => {
    const { client } = await startTestServer({ plugins: [plugin] });
    const started = Date.now();
    const err = await rpcError(client.executeTaskSync({ template: taskTemplate({ type: "custom_task" }) }));
    expect(err?.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(err?.details).toMatch(/served by the async agent "Custom Agent"; call CreateTask/);
    expect(Date.now() - started).toBeLessThan(5000); // half the client's 10 s deadline
  });

  test("a wrong custom field is refused with INVALID_ARGUMENT naming it", async () => {
    const { client } = await startTestServer({ plugins: [plugin] });
    const err = await rpcError(
      client.createTask({ template: taskTemplate({ type: "custom_task", custom: { durationSeconds: "soon" } }) }),
    );
    expect(err?.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(err?.details).toBe('custom.durationSeconds must be a number >= 0, got "soon"');
  });

  test("inputs too large for resource_meta are refused with a clear message", async () => {
    const { client } = await startTestServer({ plugins: [plugin] });
    const err = await rpcError(
      client.createTask({ template: taskTemplate({ type: "custom_task" }), inputs: toLiteralMap({ big: "x".repeat(2000) }) }),
    );
    expect(err?.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(err?.details).toMatch(/inputs are \d+ bytes; this agent keeps them in resource_meta and accepts at most 640/);
  });

  test("resource_meta of another agent is refused with INVALID_ARGUMENT", async () => {
    const { client } = await startTestServer({ plugins: [plugin] });
    const err = await rpcError(client.getTask(category, Buffer.from(JSON.stringify({ job_id: "bq-123", location: "US" }))));
    expect(err?.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(err?.details).toMatch(/missing field "jobId"/);
  });
});
