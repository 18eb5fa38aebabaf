/**
 * runTask in-process (the real AgentServer on 127.0.0.1:0) and against a TLS endpoint, with
 * scripted agents that record every call.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { status } from "@grpc/grpc-js";
import {
  type Agent,
  AgentError,
  AgentRegistry,
  AgentServer,
  flyteidl,
  Phase,
  type RunEvent,
  runTask,
  SyncAgent,
  toLiteralMap,
} from "../../src";
import { makeCerts } from "../fixtures/certs";
import { at, ScriptedAgent } from "./helpers/agents";
import { failure } from "./helpers/failure";
import { tempDir } from "./helpers/cli";

const template = (extra: Partial<flyteidl.core.TaskTemplate> = {}): flyteidl.core.TaskTemplate =>
  flyteidl.core.TaskTemplate.fromPartial({ type: "scripted", taskTypeVersion: 1, ...extra });

const registryOf = (...agents: Agent[]) => {
  const r = new AgentRegistry();
  for (const a of agents) r.register(a);
  return r;
};

const FAST = { pollIntervalMs: 10, maxPollIntervalMs: 30 };

describe("runTask in-process", () => {
  test("returns outputs, values, the phase timeline and the log links", async () => {
    const link = { name: "Console", uri: "https://console.example/job-1" };
    const agent = new ScriptedAgent([
      at(Phase.QUEUED, "in line"),
      at(Phase.RUNNING, "25%", { logLinks: [link] }),
      at(Phase.RUNNING, "75%", { logLinks: [link] }),
      at(Phase.SUCCEEDED, "done", { outputs: toLiteralMap({ big: 2n ** 62n, ok: true }), customInfo: { rows: 3 } }),
    ]);
    const events: RunEvent[] = [];
    const result = await runTask({ template: template(), registry: registryOf(agent), ...FAST, onEvent: (e) => events.push(e) });

    expect(result.values).toEqual({ big: 2n ** 62n, ok: true });
    expect(result.outputs.literals.big?.value).toEqual({
      $case: "scalar",
      value: { value: { $case: "primitive", value: { value: { $case: "integer", value: 2n ** 62n } } } },
    });
    expect(result.timeline.map((t) => [t.phaseName, t.message])).toEqual([
      ["QUEUED", "in line"],
      ["RUNNING", "25%"],
      ["SUCCEEDED", "done"],
    ]);
    expect(result.logLinks).toEqual([link]);
    expect(result.customInfo).toEqual({ rows: 3 });
    expect(result.sync).toBe(false);
    expect(agent.calls.map((c) => c.op)).toEqual(["create", "get", "get", "get", "get"]);
    expect(events.filter((e) => e.type === "status")).toHaveLength(4);
    expect(events[0]).toMatchObject({
      type: "started",
      target: "in-process",
      sync: false,
      category: { name: "scripted", version: 1 },
    });
  });

  test("an AbortSignal deletes the task and rejects with reason aborted", async () => {
    const agent = new ScriptedAgent([at(Phase.RUNNING, "busy")]);
    const abort = new AbortController();
    const run = runTask({
      template: template(),
      registry: registryOf(agent),
      ...FAST,
      signal: abort.signal,
      onEvent: (e) => {
        if (e.type === "status") abort.abort();
      },
    });
    const err = await failure(run);
    expect(err).toMatchObject({ reason: "aborted", phase: Phase.RUNNING, deleted: true });
    expect(agent.calls).toEqual([
      { op: "create", id: "job-1" },
      { op: "get", id: "job-1" },
      { op: "delete", id: "job-1" },
    ]);
  });

  test("timeoutMs deletes the task and rejects with reason timeout", async () => {
    const agent = new ScriptedAgent([at(Phase.RUNNING)]);
    const err = await failure(runTask({ template: template(), registry: registryOf(agent), ...FAST, timeoutMs: 2000 }));
    expect(err.reason).toBe("timeout");
    expect(err.message).toBe("timed out after 2.0s (last phase RUNNING); the task was deleted");
    expect(agent.calls.at(-1)).toEqual({ op: "delete", id: "job-1" });
    expect(agent.getCount).toBeGreaterThan(2);
  });

  test("a stop during a slow create waits for its answer, then deletes the job it started", async () => {
    const agent = new ScriptedAgent([at(Phase.RUNNING)], { createDelayMs: 400 });
    const err = await failure(runTask({ template: template(), registry: registryOf(agent), ...FAST, timeoutMs: 100 }));
    expect(err).toMatchObject({ reason: "timeout", deleted: true });
    expect(agent.calls).toEqual([
      { op: "create", id: "job-1" },
      { op: "delete", id: "job-1" },
    ]);
  });

  test.each([
    ["FAILED", Phase.FAILED],
    ["RETRYABLE_FAILED", Phase.RETRYABLE_FAILED],
    ["ABORTED", Phase.ABORTED],
  ])("%s ends the run without a delete", async (name, phase) => {
    const agent = new ScriptedAgent([at(Phase.RUNNING), at(phase, "it broke")]);
    const err = await failure(runTask({ template: template(), registry: registryOf(agent), ...FAST }));
    expect(err).toMatchObject({ reason: "failed", phase, message: `task ended ${name}: it broke` });
    expect(agent.calls.map((c) => c.op)).toEqual(["create", "get", "get"]);
  });

  test("transient GetTask errors are retried; a permanent one fails and deletes", async () => {
    const unavailable = { throw: new AgentError(status.UNAVAILABLE, "API down") };
    const flaky = new ScriptedAgent([unavailable, unavailable, at(Phase.SUCCEEDED, "ok")]);
    const events: RunEvent[] = [];
    const ok = await runTask({ template: template(), registry: registryOf(flaky), ...FAST, onEvent: (e) => events.push(e) });
    expect(ok.phase).toBe(Phase.SUCCEEDED);
    expect(events.filter((e) => e.type === "retry").map((e) => e.type === "retry" && e.error)).toEqual([
      "GetTask failed: UNAVAILABLE: API down",
      "GetTask failed: UNAVAILABLE: API down",
    ]);

    const broken = new ScriptedAgent([{ throw: new AgentError(status.INVALID_ARGUMENT, "job id unknown") }]);
    const err = await failure(runTask({ template: template(), registry: registryOf(broken), ...FAST }));
    expect(err).toMatchObject({ reason: "rpc", code: status.INVALID_ARGUMENT, deleted: true });
    expect(err.message).toBe("GetTask failed: INVALID_ARGUMENT: job id unknown; the task was deleted");
    expect(broken.calls.map((c) => c.op)).toEqual(["create", "get", "delete"]);
  });

  test("gives up after maxGetFailures", async () => {
    const agent = new ScriptedAgent([{ throw: new AgentError(status.UNAVAILABLE, "down") }]);
    const err = await failure(runTask({ template: template(), registry: registryOf(agent), ...FAST, maxGetFailures: 3 }));
    expect(err).toMatchObject({ reason: "rpc", code: status.UNAVAILABLE });
    expect(agent.getCount).toBe(3);
  });

  test("reads <output_prefix>/outputs.pb when the agent returns no inline outputs", async () => {
    const agent = new ScriptedAgent([at(Phase.SUCCEEDED)], { writeOutputsPb: true });
    const outputPrefix = join(tempDir(), "attempt-0");
    const result = await runTask({ template: template(), registry: registryOf(agent), ...FAST, outputPrefix });
    expect(result).toMatchObject({ values: { rows: 42n }, outputPrefix });
  });

  test("warns about declared outputs the agent did not return", async () => {
    const agent = new ScriptedAgent([at(Phase.SUCCEEDED, "", { outputs: toLiteralMap({ a: 1n }) })]);
    const variable = {
      type: flyteidl.core.LiteralType.fromPartial({ type: { $case: "simple", value: flyteidl.core.SimpleType.INTEGER } }),
      description: "",
    };
    const declared = template({ interface: { inputs: undefined, outputs: { variables: { a: variable, b: variable } } } });
    const events: RunEvent[] = [];
    await runTask({ template: declared, registry: registryOf(agent), ...FAST, onEvent: (e) => events.push(e) });
    expect(events.filter((e) => e.type === "warning")).toEqual([
      { type: "warning", message: "the task declares output(s) b that the agent did not return" },
    ]);
  });

  test("inputs follow the interface; a wrong one names the input and calls nothing", async () => {
    const agent = new ScriptedAgent([at(Phase.SUCCEEDED)]);
    const typed = template({
      interface: {
        inputs: {
          variables: { when: { type: { type: { $case: "simple", value: flyteidl.core.SimpleType.DATETIME } }, description: "" } },
        },
        outputs: undefined,
      },
    });
    const err = await failure(runTask({ template: typed, registry: registryOf(agent), inputs: { when: "not a date" } }));
    expect(err).toMatchObject({
      reason: "invalid",
      message: 'input "when" (datetime): expected datetime, got string ("not a date")',
    });
    expect(agent.calls).toEqual([]);
  });

  test("a sync agent runs through ExecuteTaskSync", async () => {
    class Doubler extends SyncAgent {
      readonly name = "Doubler";
      readonly category = { name: "double", version: 0 };
      async do() {
        return at(Phase.SUCCEEDED, "", { outputs: toLiteralMap({ y: 84n }) });
      }
    }
    const result = await runTask({
      template: template({ type: "double", taskTypeVersion: 0 }),
      registry: registryOf(new Doubler()),
    });
    expect(result).toMatchObject({ sync: true, values: { y: 84n } });
    expect(result.timeline.map((t) => t.phaseName)).toEqual(["SUCCEEDED"]);
  });

  test("a template without a type is refused", async () => {
    const err = await failure(runTask({ template: template({ type: "" }), registry: new AgentRegistry() }));
    expect(err).toMatchObject({ reason: "invalid", message: "the task template has no type (the task category name)" });
  });
});

describe("runTask against a TLS endpoint", () => {
  let server: AgentServer;
  let port: number;
  let caFile: string;
  const agent = new ScriptedAgent([at(Phase.RUNNING), at(Phase.SUCCEEDED, "", { outputs: toLiteralMap({ z: "tls" }) })]);

  beforeAll(async () => {
    const certs = makeCerts();
    caFile = certs.caCertFile;
    server = new AgentServer({
      registry: registryOf(agent),
      tls: { certFile: certs.serverCertFile, keyFile: certs.serverKeyFile },
    });
    port = await server.listen(0, "127.0.0.1");
    expect(readFileSync(caFile, "utf8")).toContain("BEGIN CERTIFICATE");
  });
  afterAll(() => server.shutdown({ drainMs: 100 }));

  test("runs with the server's CA", async () => {
    const result = await runTask({ template: template(), endpoint: `127.0.0.1:${port}`, tls: { caFile }, ...FAST });
    expect(result.values).toEqual({ z: "tls" });
  });

  test("fails with UNAVAILABLE when the CA does not match (system pool)", async () => {
    const err = await failure(runTask({ template: template(), endpoint: `127.0.0.1:${port}`, tls: true, rpcTimeoutMs: 3000 }));
    expect(err).toMatchObject({ reason: "rpc", code: status.UNAVAILABLE });
    expect(err.message).toMatch(/^ListAgents failed: UNAVAILABLE/);
  });
});
