import assert from "node:assert/strict";
import {
  type Agent,
  type AgentPlugin,
  flyteidl,
  formatCategory,
  isAgentPlugin,
  isTerminalPhase,
  Phase,
  phaseName,
  stateForPhase,
  type TaskCategory,
} from "@flyte-agent/core";
import { jestGlobals } from "./jest-globals";
import type { PropellerClient, RpcError } from "./propeller-client";
import { pollTask } from "./run-task";
import { startTestServer, type TestServer } from "./test-server";

type TaskTemplate = flyteidl.core.TaskTemplate;
type LiteralMap = flyteidl.core.LiteralMap;

/** What {@link checkConformance} checks: a plugin, a list of agents, or a factory of either (called once per server). */
export type ConformanceTarget = AgentPlugin | readonly Agent[] | (() => AgentPlugin | readonly Agent[]);

/** One task to drive through the propeller rules. */
export interface ConformanceCase {
  /** Shown in the test names. */
  name: string;
  /** The task template; a function is called when the test runs (after your fakes started). */
  template: TaskTemplate | (() => TaskTemplate);
  /** Task inputs. @default an empty LiteralMap */
  inputs?: LiteralMap | (() => LiteralMap);
  /** The terminal phase the task must reach. @default any terminal phase */
  expectPhase?: "SUCCEEDED" | "FAILED";
  /** resource_meta of a job the external system never heard of: DeleteTask must answer OK for it. @default not checked */
  unknownResourceMeta?: Uint8Array | (() => Uint8Array);
  /** Runs before each check of this case (e.g. program a fake service). */
  setup?: () => void | Promise<void>;
  /** Runs after each check of this case. */
  teardown?: () => void | Promise<void>;
}

/** A server the round-trip check sends GetTask to, instead of a second in-process server. */
export interface SecondServer {
  readonly client: PropellerClient;
  close(): Promise<void>;
}

/** Options of {@link checkConformance}. */
export interface ConformanceOptions {
  /** Secret values that must never appear in resource_meta, messages or error details. @default [] */
  secrets?: string[];
  /** GetTask interval. @default 50 */
  pollIntervalMs?: number;
  /** Longest a case may run. @default 20000 */
  timeoutMs?: number;
  /** Starts the server that answers GetTask in the round-trip check (e.g. {@link startServerProcess}). @default a second in-process server with fresh agents when the target is a factory */
  secondServer?: () => Promise<SecondServer>;
  /** Name of the describe block. @default "propeller conformance" */
  title?: string;
}

const resolveValue = <T>(v: T | (() => T)): T => (typeof v === "function" ? (v as () => T)() : v);

function agentsOf(target: ConformanceTarget): readonly Agent[] {
  const value = typeof target === "function" ? target() : target;
  return isAgentPlugin(value) ? value.agents : (value as readonly Agent[]);
}

function categoryOf(template: TaskTemplate): TaskCategory {
  return { name: template.type, version: template.taskTypeVersion };
}

function checkResource(resource: flyteidl.admin.Resource, where: string): void {
  assert.notEqual(
    resource.phase,
    Phase.UNDEFINED,
    `${where}: Resource.phase is UNDEFINED (propeller then reads state; 0 = RETRYABLE_FAILURE)`,
  );
  assert.equal(
    resource.state,
    stateForPhase(resource.phase),
    `${where}: deprecated state ${flyteidl.admin.State[resource.state]} does not match phase ${phaseName(resource.phase)}`,
  );
}

function checkFinal(resource: flyteidl.admin.Resource, expected: ConformanceCase["expectPhase"], where: string): void {
  assert.ok(isTerminalPhase(resource.phase), `${where}: phase ${phaseName(resource.phase)} is not terminal`);
  if (expected) {
    assert.equal(
      phaseName(resource.phase),
      expected,
      `${where}: expected ${expected}, got ${phaseName(resource.phase)}: ${resource.message}`,
    );
  }
  if (resource.phase === Phase.FAILED || resource.phase === Phase.RETRYABLE_FAILED) {
    assert.ok(resource.message.length > 0, `${where}: a failed task must say why (Resource.message is empty)`);
  }
}

function checkNoSecrets(secrets: readonly string[], text: string, where: string): void {
  for (const secret of secrets) {
    assert.ok(!text.includes(secret), `${where} contains a secret value`);
  }
}

/**
 * Defines a jest `describe` block that checks an agent plugin against the rules propeller
 * relies on. Call it at the top level of a test file; start fake services in your own
 * `beforeAll` (it runs first) and build templates lazily with functions.
 *
 * Checks: ListAgents lists every agent with its category (and `supported_task_types` for
 * version 0); every Resource has a phase with the matching deprecated state; the task reaches
 * the expected terminal phase (failures carry a message); DeleteTask is OK on a finished job
 * (twice) and on an unknown job; resource_meta stays under 1 KiB and another server answers
 * GetTask from it alone; a repeated CreateTask succeeds; ExecuteTaskSync on an async category
 * fails with an error status; sync agents answer with exactly one terminal header; no secret
 * value appears in resource_meta, messages or errors.
 *
 * @example
 *   checkConformance(plugin, [{ name: "quick job", template: () => taskTemplate({ type: "custom_task" }), expectPhase: "SUCCEEDED" }]);
 */
export function checkConformance(
  target: ConformanceTarget,
  cases: readonly ConformanceCase[],
  options: ConformanceOptions = {},
): void {
  const jest = jestGlobals();
  if (!jest) throw new Error("checkConformance must be called at the top level of a jest test file");
  const pollIntervalMs = options.pollIntervalMs ?? 50;
  const timeoutMs = options.timeoutMs ?? 20_000;
  const testTimeout = timeoutMs * 2 + 5_000;
  const secrets = (options.secrets ?? []).filter((s) => s.length > 0);

  let agents: readonly Agent[] = [];
  let main: TestServer | undefined;
  const server = (): TestServer => {
    if (!main) throw new Error("the conformance server did not start (see the beforeAll error)");
    return main;
  };
  const findAgent = (category: TaskCategory): Agent => {
    const agent = agents.find((a) => a.category.name === category.name && a.category.version === category.version);
    assert.ok(agent, `no agent of the target serves the case's task category ${formatCategory(category)}`);
    return agent;
  };
  const withCase = async (
    c: ConformanceCase,
    body: (template: TaskTemplate, inputs: LiteralMap | undefined) => Promise<void>,
  ) => {
    await c.setup?.();
    try {
      const inputs = c.inputs === undefined ? undefined : resolveValue(c.inputs);
      await body(resolveValue(c.template), inputs);
    } finally {
      await c.teardown?.();
    }
  };

  jest.describe(options.title ?? "propeller conformance", () => {
    jest.beforeAll(async () => {
      agents = agentsOf(target);
      main = await startTestServer({ agents });
    });
    jest.afterAll(async () => {
      await main?.close();
    });

    jest.test("ListAgents lists every agent with its category", async () => {
      const listed = await server().client.listAgents();
      for (const agent of agents) {
        const { name, version } = agent.category;
        const entry = listed.find(
          (a) => a.name === agent.name && a.supportedTaskCategories.some((c) => c.name === name && c.version === version),
        );
        assert.ok(entry, `ListAgents does not list "${agent.name}" with category ${formatCategory(agent.category)}`);
        assert.equal(entry.isSync, agent.kind === "sync", `ListAgents: is_sync of "${agent.name}" is wrong`);
        assert.equal(
          entry.supportedTaskTypes.includes(name),
          version === 0,
          `ListAgents: supported_task_types of "${agent.name}" must list ${name} exactly when its version is 0`,
        );
      }
    });

    for (const c of cases) {
      const title = (rule: string) => `${c.name}: ${rule}`;
      const isSync = () => findAgent(categoryOf(resolveValue(c.template))).kind === "sync";

      jest.test(
        title("runs to the expected terminal phase, every reply with a phase and the matching state"),
        () =>
          withCase(c, async (template, inputs) => {
            const seen: flyteidl.admin.Resource[] = [];
            const run = await server().client.runTask({
              template,
              inputs,
              pollIntervalMs,
              timeoutMs,
              onResource: (r) => seen.push(r),
            });
            assert.equal(run.sync, isSync(), "ListAgents routed the task to the wrong service (sync vs async)");
            for (const [i, r] of seen.entries()) checkResource(r, `reply ${i + 1}`);
            checkFinal(run.resource, c.expectPhase, "final reply");
          }),
        testTimeout,
      );

      jest.test(
        title("async: resource_meta is under 1 KiB and another server answers GetTask from it alone"),
        () =>
          withCase(c, async (template, inputs) => {
            if (isSync()) return;
            const meta = await server().client.createTask({ template, inputs });
            assert.ok(meta.length > 0, "CreateTask returned an empty resource_meta");
            assert.ok(
              meta.length < 1024,
              `resource_meta is ${meta.length} bytes; propeller stores it in etcd: keep it under 1 KiB`,
            );
            const second = options.secondServer
              ? await options.secondServer()
              : await startTestServer({ agents: typeof target === "function" ? agentsOf(target) : agents });
            try {
              const seen: flyteidl.admin.Resource[] = [];
              const polled = await pollTask(second.client, categoryOf(template), meta, {
                pollIntervalMs,
                timeoutMs,
                onResource: (r) => seen.push(r),
              });
              for (const [i, r] of seen.entries()) checkResource(r, `second server, reply ${i + 1}`);
              checkFinal(polled.resource, c.expectPhase, "second server, final reply");
            } finally {
              await second.close();
            }
          }),
        testTimeout,
      );

      jest.test(
        title("async: DeleteTask answers OK on a finished job, twice"),
        () =>
          withCase(c, async (template, inputs) => {
            if (isSync()) return;
            const client = server().client;
            const meta = await client.createTask({ template, inputs });
            await pollTask(client, categoryOf(template), meta, { pollIntervalMs, timeoutMs });
            await client.deleteTask(categoryOf(template), meta);
            await client.deleteTask(categoryOf(template), meta);
          }),
        testTimeout,
      );

      if (c.unknownResourceMeta !== undefined) {
        const unknown = c.unknownResourceMeta;
        jest.test(
          title("async: DeleteTask answers OK for a job that was never created"),
          () =>
            withCase(c, async (template) => {
              await server().client.deleteTask(categoryOf(template), resolveValue(unknown));
            }),
          testTimeout,
        );
      }

      jest.test(
        title("async: a repeated CreateTask for the same attempt succeeds"),
        () =>
          withCase(c, async (template, inputs) => {
            if (isSync()) return;
            const client = server().client;
            const first = await client.createTask({ template, inputs });
            const second = await client.createTask({ template, inputs });
            assert.ok(first.length > 0 && second.length > 0, "CreateTask returned an empty resource_meta");
            for (const meta of [first, second]) await client.deleteTask(categoryOf(template), meta);
          }),
        testTimeout,
      );

      jest.test(
        title("async: ExecuteTaskSync fails with an error status"),
        () =>
          withCase(c, async (template, inputs) => {
            if (isSync()) return;
            const err = await server()
              .client.executeTaskSync({ template, inputs })
              .then(
                () => undefined,
                (e: RpcError) => e,
              );
            assert.ok(err, "ExecuteTaskSync on an async category answered instead of failing");
            assert.ok(
              typeof err.code === "number" && err.code !== 0,
              "ExecuteTaskSync on an async category must fail with a gRPC status",
            );
          }),
        testTimeout,
      );

      jest.test(
        title("sync: ExecuteTaskSync answers with exactly one terminal header"),
        () =>
          withCase(c, async (template, inputs) => {
            if (!isSync()) return;
            const replies = await server().client.executeTaskSyncAll({ template, inputs });
            assert.equal(replies.length, 1, `ExecuteTaskSync sent ${replies.length} messages; propeller reads exactly one`);
            const res = replies[0]?.res;
            assert.ok(
              res?.$case === "header" && res.value.resource,
              "the ExecuteTaskSync reply must be a header holding a Resource",
            );
            checkResource(res.value.resource, "ExecuteTaskSync header");
            checkFinal(res.value.resource, c.expectPhase, "ExecuteTaskSync header");
          }),
        testTimeout,
      );

      if (secrets.length > 0) {
        jest.test(
          title("no secret value appears in resource_meta, messages or errors"),
          () =>
            withCase(c, async (template, inputs) => {
              const client = server().client;
              const texts: Array<[string, string]> = [];
              try {
                if (isSync()) {
                  const resource = await client.executeTaskSync({ template, inputs });
                  texts.push(["the ExecuteTaskSync message", resource.message]);
                } else {
                  const meta = await client.createTask({ template, inputs });
                  texts.push(["resource_meta", Buffer.from(meta).toString("latin1")]);
                  await pollTask(client, categoryOf(template), meta, {
                    pollIntervalMs,
                    timeoutMs,
                    onResource: (r) => texts.push(["a GetTask message", `${r.message} ${JSON.stringify(r.customInfo ?? {})}`]),
                  });
                }
              } catch (err) {
                texts.push(["an error", `${(err as Error).message} ${(err as Partial<RpcError>).details ?? ""}`]);
              }
              for (const [where, text] of texts) checkNoSecrets(secrets, text, where);
            }),
          testTimeout,
        );
      }
    }
  });
}
