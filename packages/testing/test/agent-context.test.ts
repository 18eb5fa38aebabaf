import { once } from "node:events";
import {
  AgentError,
  AsyncAgent,
  type CreateContext,
  expectMetaFields,
  fromLiteralMap,
  Phase,
  type Resource,
  requireSecret,
  type SecretSourceOptions,
  type TaskContext,
  toLiteralMap,
} from "@flyte-agent/core";
import { agentTestContext, GrpcStatus, taskTemplate, testExecutionMetadata, testSecretSource } from "../src";

const template = taskTemplate({ type: "probe_task", version: 2, inputs: { n: "integer", ratio: "float" } });

test("create and execute contexts carry the template, typed inputs, output prefix and execution metadata", () => {
  const ctx = agentTestContext({ template, inputs: { n: 2, ratio: 2 } });
  const create = ctx.createContext();
  expect(create.template).toBe(template);
  // The template's interface decides the literal type: n is an integer, ratio a float.
  expect(fromLiteralMap(create.inputs)).toEqual({ n: 2n, ratio: 2 });
  expect(create.outputPrefix).toBe("s3://test-bucket/outputs/attempt-0");
  expect(create.taskExecutionMetadata).toEqual(testExecutionMetadata());
  expect(create.deadline).toBeUndefined();

  const execute = agentTestContext({ template, maxDatasetSizeBytes: 1024n, taskExecutionMetadata: null }).executeContext();
  expect(execute.maxDatasetSizeBytes).toBe(1024n);
  expect(execute.taskExecutionMetadata).toBeUndefined();
  expect(fromLiteralMap(execute.inputs)).toEqual({});
});

test("task contexts are routed by the template's category; only GetTask has an output prefix", () => {
  const ctx = agentTestContext({ template, outputPrefix: "s3://b/out" });
  expect(ctx.getContext()).toMatchObject({ taskCategory: { name: "probe_task", version: 2 }, outputPrefix: "s3://b/out" });
  expect(ctx.deleteContext()).toMatchObject({ taskCategory: { name: "probe_task", version: 2 }, outputPrefix: "" });
  expect(ctx.logsContext({ lines: 10, token: "page-2" })).toMatchObject({ lines: 10, token: "page-2" });
  const start = new Date(0);
  expect(ctx.metricsContext({ queries: ["cpu"], startTime: start, stepSeconds: 5 })).toMatchObject({
    queries: ["cpu"],
    startTime: start,
    stepSeconds: 5,
  });
});

test("literalInputs are passed as given; inputs and literalInputs together are refused", () => {
  const literals = toLiteralMap({ s: "x" });
  expect(agentTestContext({ template, literalInputs: literals }).createContext().inputs).toBe(literals);
  expect(() => agentTestContext({ template, inputs: {}, literalInputs: literals })).toThrow(/not both/);
  expect(() => agentTestContext({ template, deadlineMs: -1 })).toThrow(/deadlineMs must be a number >= 0, got -1/);
});

test("abort() fires the real signal of every context with CANCELLED", async () => {
  const ctx = agentTestContext({ template, deadlineMs: 60_000 });
  const early = ctx.createContext();
  const aborted = once(early.signal, "abort");
  expect(early.signal.aborted).toBe(false);
  ctx.abort();
  await aborted;
  expect(early.signal.reason).toBeInstanceOf(AgentError);
  expect((early.signal.reason as AgentError).code).toBe(GrpcStatus.CANCELLED);
  expect(ctx.getContext().signal.aborted).toBe(true); // made after the abort
});

test("deadlineMs sets each call's deadline and aborts its signal with DEADLINE_EXCEEDED", async () => {
  const ctx = agentTestContext({ template, deadlineMs: 50 });
  const before = Date.now();
  const get = ctx.getContext();
  expect(get.deadline?.getTime()).toBeGreaterThanOrEqual(before + 50);
  await once(get.signal, "abort");
  expect(Date.now()).toBeGreaterThanOrEqual(get.deadline!.getTime() - 1);
  expect((get.signal.reason as AgentError).code).toBe(GrpcStatus.DEADLINE_EXCEEDED);
  expect(ctx.signal.aborted).toBe(false); // only that call ran out of time
});

test("testSecretSource serves exactly the given secrets, and says where it looked for others", () => {
  const source = testSecretSource({ api_token: "t0ken-value" });
  expect(requireSecret("api_token", source)).toBe("t0ken-value");
  expect(() => requireSecret("other", source)).toThrow(/_FSEC_OTHER/);
});

/** A small agent that reads a secret, logs, and honours its signal: what a real plugin does. */
class TokenAgent extends AsyncAgent<{ id: string }> {
  readonly name = "Token Agent";
  readonly category = { name: "probe_task", version: 2 };
  constructor(
    private readonly secrets: SecretSourceOptions,
    private readonly leak = false,
  ) {
    super();
  }
  async create(ctx: CreateContext): Promise<{ id: string }> {
    const token = requireSecret("api_token", this.secrets);
    ctx.log.info({ tokenLength: token.length, ...(this.leak ? { token } : {}) }, "job submitted");
    return { id: "job-1" };
  }
  async get(meta: { id: string }, ctx: TaskContext): Promise<Resource> {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    return { phase: Phase.SUCCEEDED, message: `job ${meta.id} done` };
  }
  async delete(): Promise<void> {}
  protected override validateMeta(value: unknown): { id: string } {
    return expectMetaFields<{ id: string }>(value, { id: "string" });
  }
}

test("an agent driven through the contexts: secrets injected, log collected, leaks found", async () => {
  const ctx = agentTestContext({ template, secrets: { api_token: "t0ken-value" } });
  const agent = new TokenAgent(ctx.secretSource);
  const meta = await agent.create(ctx.createContext());
  const resource = await agent.get(meta, ctx.getContext());
  expect(resource.phase).toBe(Phase.SUCCEEDED);
  expect(ctx.log.entries).toEqual([
    { level: "info", message: "job submitted", fields: { tokenLength: 11 }, operation: "create" },
  ]);
  expect(ctx.leakedSecrets(meta, resource)).toEqual([]);

  const leaky = agentTestContext({ template, secrets: { api_token: "t0ken-value" } });
  await new TokenAgent(leaky.secretSource, true).create(leaky.createContext());
  expect(leaky.leakedSecrets()).toEqual(["t0ken-value"]); // found in the log
  expect(leaky.leakedSecrets(Buffer.from("xx t0ken-value"))).toEqual(["t0ken-value"]);
});

test("a signal aborted before the call reaches the agent's own check", async () => {
  const ctx = agentTestContext({ template });
  ctx.abort(new Error("server shutting down"));
  await expect(new TokenAgent(testSecretSource()).get({ id: "x" }, ctx.getContext())).rejects.toThrow("server shutting down");
});
