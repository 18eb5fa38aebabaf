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
  TaskRunError,
  type WireProtocol,
} from "@flyte-agent/core";
import { status as GrpcStatus } from "@grpc/grpc-js";
import { jestGlobals } from "./jest-globals";
import { PropellerClient, type RpcError } from "./propeller-client";
import { pollTask } from "./run-task";
import { startTestServer } from "./test-server";

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
  /**
   * Whether an async or a sync agent serves the case. Rules that apply to the other kind are
   * not run and are reported as skipped, so it must be known when the tests are defined. Needed
   * only when it cannot be found then: when the target factory or the template function can only
   * be called after your fakes started (a wrong value fails the case's tests).
   * @default the kind of the agent of the template's category, or of every agent of the target
   */
  kind?: "async" | "sync";
}

/** A server the round-trip check sends GetTask to, instead of a second in-process server. */
export interface SecondServer {
  /** A v1 client of it. */
  readonly client: PropellerClient;
  /** A client over the given protocol. @default for v2, a new client of `client.address` */
  clientFor?(protocol: WireProtocol): PropellerClient;
  close(): Promise<void>;
}

/** A server the checks run against: a client over each protocol, and a way to stop it. */
export interface ConformanceServer {
  /** A propeller-like client over `protocol` (v1: FlytePropeller 1.x, v2: the Flyte 2 executor). */
  clientFor(protocol: WireProtocol): PropellerClient;
  close(): Promise<void>;
}

/**
 * The protocols checked when `protocols` is not given: both, since AgentServer serves Flyte 1
 * propellers (v1) and Flyte 2 executors (v2) from one port. Pass `protocols: ["v1"]` to check
 * a server started with `protocols: ["v1"]` only.
 */
export const DEFAULT_CONFORMANCE_PROTOCOLS: readonly WireProtocol[] = ["v1", "v2"];

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
  /**
   * The wire protocols to check. Every rule runs over each; the ExecuteTaskSync rules only over
   * v1 (flyteidl2 has no sync service), and over v2 a sync agent must either run through
   * CreateTask or be refused with FAILED_PRECONDITION and left out of ListConnectors. Tests of
   * v2 are named `[v2] ...`; when both are checked, a task created over v1 must also be polled to
   * its end over v2. @default {@link DEFAULT_CONFORMANCE_PROTOCOLS}
   */
  protocols?: readonly WireProtocol[];
  /**
   * Starts the server the checks run against (and, when `secondServer` is not set, the second
   * server of the round-trip check). @default {@link startTestServer} with the target's agents
   */
  startServer?: (agents: readonly Agent[]) => Promise<ConformanceServer>;
  /**
   * What the server does over v2 with a sync agent: `"refused"` (left out of ListConnectors,
   * CreateTask answers FAILED_PRECONDITION) or `"served"` (listed and run through CreateTask).
   * The rules of the other behaviour are skipped. @default "refused", what AgentServer does
   */
  v2SyncAgents?: "refused" | "served";
}

const resolveValue = <T>(v: T | (() => T)): T => (typeof v === "function" ? (v as () => T)() : v);

function agentsOf(target: ConformanceTarget): readonly Agent[] {
  const value = typeof target === "function" ? target() : target;
  return isAgentPlugin(value) ? value.agents : (value as readonly Agent[]);
}

/**
 * The kind of agent serving a case, found when the tests are defined: the case's `kind`, else
 * the kind shared by every agent of the target, else the kind of the agent of the template's
 * category. Throws when neither the target nor the template can be built yet.
 */
function caseKind(target: ConformanceTarget, c: ConformanceCase): "async" | "sync" {
  if (c.kind) return c.kind;
  let defined: readonly Agent[] | undefined;
  try {
    defined = agentsOf(target);
  } catch {
    defined = undefined; // a factory that needs what beforeAll starts
  }
  if (defined) {
    const kinds = [...new Set(defined.map((a) => a.kind))];
    if (kinds.length === 1 && kinds[0]) return kinds[0];
    try {
      const category = categoryOf(resolveValue(c.template));
      const agent = defined.find((a) => a.category.name === category.name && a.category.version === category.version);
      if (agent) return agent.kind;
    } catch {
      // a template that needs what beforeAll starts
    }
  }
  throw new Error(
    `checkConformance: case "${c.name}": cannot tell whether an async or a sync agent serves it before the tests run; set kind: "async" or "sync" on the case`,
  );
}

function categoryOf(template: TaskTemplate): TaskCategory {
  return { name: template.type, version: template.taskTypeVersion };
}

function checkResource(resource: flyteidl.admin.Resource, where: string, protocol: WireProtocol = "v1"): void {
  assert.notEqual(
    resource.phase,
    Phase.UNDEFINED,
    protocol === "v1"
      ? `${where}: Resource.phase is UNDEFINED (propeller then reads state; 0 = RETRYABLE_FAILURE)`
      : `${where}: Resource.phase is UNDEFINED (flyteidl2 has no state to fall back on)`,
  );
  // flyteidl2 has no deprecated state: the client derives it, so there is nothing to compare.
  if (protocol !== "v1") return;
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
 * Defines a jest `describe` block that checks an agent plugin against the rules propeller (and,
 * with `protocols`, the Flyte 2 executor) relies on. Call it at the top level of a test file;
 * start fake services in your own `beforeAll` (it runs first) and build templates lazily with
 * functions.
 *
 * Checks, over each protocol: ListAgents (ListConnectors) lists every agent with its category
 * (and `supported_task_types` for version 0 on v1); every Resource has a phase (with the
 * matching deprecated state on v1); the task reaches the expected terminal phase (failures
 * carry a message); DeleteTask is OK on a finished job (twice) and on an unknown job;
 * resource_meta stays under 1 KiB and another server answers GetTask from it alone; a repeated
 * CreateTask succeeds; no secret value appears in resource_meta, messages or errors. On v1 only:
 * ExecuteTaskSync on an async category fails with an error status, and sync agents answer with
 * exactly one terminal header. On v2 only: a sync agent runs through CreateTask or is refused
 * with FAILED_PRECONDITION; with both protocols, a task created over v1 is polled over v2.
 *
 * Rules that do not apply to a case (the async rules for a sync agent, the ExecuteTaskSync rule
 * for an async one, the secret rule without `secrets`, the unknown-job rule without
 * `unknownResourceMeta`) are not run: jest reports them as skipped, with the reason in the name.
 * Which kind of agent serves a case is decided when the tests are defined (see
 * {@link ConformanceCase.kind}), and checked when they run.
 *
 * @example
 *   checkConformance(plugin, [{ name: "quick job", template: () => taskTemplate({ type: "custom_task" }), expectPhase: "SUCCEEDED" }]);
 */
export function checkConformance(
  target: ConformanceTarget,
  cases: readonly ConformanceCase[],
  options: ConformanceOptions = {},
): void {
  const globals = jestGlobals();
  if (!globals) throw new Error("checkConformance must be called at the top level of a jest test file");
  const jest = globals;
  const pollIntervalMs = options.pollIntervalMs ?? 50;
  const timeoutMs = options.timeoutMs ?? 20_000;
  const testTimeout = timeoutMs * 2 + 5_000;
  const secrets = (options.secrets ?? []).filter((s) => s.length > 0);
  const protocols = [...new Set(options.protocols ?? DEFAULT_CONFORMANCE_PROTOCOLS)];
  for (const p of protocols) {
    if (p !== "v1" && p !== "v2") throw new Error(`checkConformance: protocols must be "v1" or "v2", got "${String(p)}"`);
  }
  const startServer = options.startServer ?? ((agents: readonly Agent[]) => startTestServer({ agents }));

  let agents: readonly Agent[] = [];
  let main: ConformanceServer | undefined;
  const server = (): ConformanceServer => {
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
  /** The second server of the round-trip check and a client of it over `protocol`. */
  const startSecond = async (protocol: WireProtocol): Promise<{ client: PropellerClient; close(): Promise<void> }> => {
    if (options.secondServer) {
      const second = await options.secondServer();
      if (protocol === "v1") return second;
      const own = second.clientFor ? undefined : new PropellerClient(second.client.address, { protocol });
      const client = second.clientFor?.(protocol) ?? (own as PropellerClient);
      return {
        client,
        close: async () => {
          own?.close();
          await second.close();
        },
      };
    }
    const second = await startServer(typeof target === "function" ? agentsOf(target) : agents);
    return { client: second.clientFor(protocol), close: () => second.close() };
  };

  const v2SyncAgents = options.v2SyncAgents ?? "refused";
  /** Defines a rule that applies (`true`), or one that does not, reported as skipped with the reason. */
  const rule = (applies: true | string, name: string, fn: () => Promise<void>, timeout?: number): void => {
    if (applies === true) jest.test(name, fn, timeout);
    else jest.test.skip(`${name} [does not apply: ${applies}]`, fn);
  };
  /** Fails a case whose agent is not of the kind its rules were chosen for. */
  const expectKind = (template: TaskTemplate, kind: "async" | "sync", c: ConformanceCase) => {
    const actual = findAgent(categoryOf(template)).kind;
    assert.equal(actual, kind, `case "${c.name}" is served by a ${actual} agent, but its rules were chosen for a ${kind} one`);
  };

  jest.describe(options.title ?? "propeller conformance", () => {
    jest.beforeAll(async () => {
      agents = agentsOf(target);
      main = await startServer(agents);
    });
    jest.afterAll(async () => {
      await main?.close();
    });

    for (const protocol of protocols) {
      defineProtocolRules(protocol);
    }
    if (protocols.includes("v1") && protocols.includes("v2")) {
      for (const c of cases) {
        const kind = caseKind(target, c);
        rule(
          kind === "async" || "a sync agent has no task to poll",
          `${c.name}: a task created over v1 is polled to its end over v2`,
          () =>
            withCase(c, async (template, inputs) => {
              expectKind(template, "async", c);
              const meta = await server().clientFor("v1").createTask({ template, inputs });
              const polled = await pollTask(server().clientFor("v2"), categoryOf(template), meta, { pollIntervalMs, timeoutMs });
              checkFinal(polled.resource, c.expectPhase, "v2 GetTask of a v1 task, final reply");
            }),
          testTimeout,
        );
      }
    }
  });

  function defineProtocolRules(protocol: WireProtocol): void {
    const v1 = protocol === "v1";
    const prefix = v1 ? "" : `[${protocol}] `;
    const client = () => server().clientFor(protocol);
    const listName = v1 ? "ListAgents" : "ListConnectors";

    jest.test(`${prefix}${listName} lists every ${v1 ? "" : "async "}agent with its category`, async () => {
      const listed = await client().listAgents();
      for (const agent of agents) {
        if (!v1 && agent.kind === "sync") continue; // its own rule below
        const { name, version } = agent.category;
        const entry = listed.find(
          (a) => a.name === agent.name && a.supportedTaskCategories.some((c) => c.name === name && c.version === version),
        );
        assert.ok(entry, `${listName} does not list "${agent.name}" with category ${formatCategory(agent.category)}`);
        if (!v1) continue; // flyteidl2 has no is_sync and no supported_task_types
        assert.equal(entry.isSync, agent.kind === "sync", `ListAgents: is_sync of "${agent.name}" is wrong`);
        assert.equal(
          entry.supportedTaskTypes.includes(name),
          version === 0,
          `ListAgents: supported_task_types of "${agent.name}" must list ${name} exactly when its version is 0`,
        );
      }
    });

    for (const c of cases) {
      const title = (rule: string) => `${prefix}${c.name}: ${rule}`;
      const kind = caseKind(target, c);
      const isSync = () => kind === "sync";
      /** Over v2, whether the server runs this sync agent through CreateTask (it lists it), as the server must. */
      const checkListedOverV2 = async (template: TaskTemplate): Promise<void> => {
        const category = categoryOf(template);
        const listed = (await client().listAgents()).some((a) =>
          a.supportedTaskCategories.some((t) => t.name === category.name && t.version === category.version),
        );
        assert.equal(
          listed,
          v2SyncAgents === "served",
          `ListConnectors ${listed ? "lists" : "does not list"} the sync agent of ${formatCategory(category)}; options.v2SyncAgents is "${v2SyncAgents}"`,
        );
      };
      /** Async rules apply to async agents, and over v2 to sync agents the server runs through CreateTask. */
      const asyncPath: true | string =
        !isSync() ||
        (!v1 && v2SyncAgents === "served") ||
        (v1 ? "a sync agent is served by ExecuteTaskSync" : "over v2 the server refuses sync agents (v2SyncAgents)");
      const onAsyncPath = async (template: TaskTemplate): Promise<void> => {
        expectKind(template, kind, c);
        if (!v1 && isSync()) await checkListedOverV2(template);
      };

      rule(
        v1 || !isSync() || v2SyncAgents === "served" || "over v2 the server refuses sync agents (v2SyncAgents)",
        title(`runs to the expected terminal phase, every reply with a phase${v1 ? " and the matching state" : ""}`),
        () =>
          withCase(c, async (template, inputs) => {
            await onAsyncPath(template);
            const seen: flyteidl.admin.Resource[] = [];
            const run = await client().runTask({
              template,
              inputs,
              pollIntervalMs,
              timeoutMs,
              onResource: (r) => seen.push(r),
            });
            assert.equal(run.sync, v1 && isSync(), `${listName} routed the task to the wrong service (sync vs async)`);
            for (const [i, r] of seen.entries()) checkResource(r, `reply ${i + 1}`, protocol);
            checkFinal(run.resource, c.expectPhase, "final reply");
          }),
        testTimeout,
      );

      rule(
        asyncPath,
        title("async: resource_meta is under 1 KiB and another server answers GetTask from it alone"),
        () =>
          withCase(c, async (template, inputs) => {
            await onAsyncPath(template);
            const meta = await client().createTask({ template, inputs });
            assert.ok(meta.length > 0, "CreateTask returned an empty resource_meta");
            assert.ok(
              meta.length < 1024,
              `resource_meta is ${meta.length} bytes; propeller stores it in etcd: keep it under 1 KiB`,
            );
            const second = await startSecond(protocol);
            try {
              const seen: flyteidl.admin.Resource[] = [];
              const polled = await pollTask(second.client, categoryOf(template), meta, {
                pollIntervalMs,
                timeoutMs,
                onResource: (r) => seen.push(r),
              });
              for (const [i, r] of seen.entries()) checkResource(r, `second server, reply ${i + 1}`, protocol);
              checkFinal(polled.resource, c.expectPhase, "second server, final reply");
            } finally {
              await second.close();
            }
          }),
        testTimeout,
      );

      rule(
        asyncPath,
        title("async: DeleteTask answers OK on a finished job, twice"),
        () =>
          withCase(c, async (template, inputs) => {
            await onAsyncPath(template);
            const meta = await client().createTask({ template, inputs });
            await pollTask(client(), categoryOf(template), meta, { pollIntervalMs, timeoutMs });
            await client().deleteTask(categoryOf(template), meta);
            await client().deleteTask(categoryOf(template), meta);
          }),
        testTimeout,
      );

      const unknown = c.unknownResourceMeta;
      rule(
        unknown === undefined ? "the case has no unknownResourceMeta" : asyncPath,
        title("async: DeleteTask answers OK for a job that was never created"),
        () =>
          withCase(c, async (template) => {
            await onAsyncPath(template);
            await client().deleteTask(categoryOf(template), resolveValue(unknown ?? new Uint8Array()));
          }),
        testTimeout,
      );

      rule(
        asyncPath,
        title("async: a repeated CreateTask for the same attempt succeeds"),
        () =>
          withCase(c, async (template, inputs) => {
            await onAsyncPath(template);
            const first = await client().createTask({ template, inputs });
            const second = await client().createTask({ template, inputs });
            assert.ok(first.length > 0 && second.length > 0, "CreateTask returned an empty resource_meta");
            for (const meta of [first, second]) await client().deleteTask(categoryOf(template), meta);
          }),
        testTimeout,
      );

      if (v1) defineSyncRulesV1(c, title, kind);
      else defineSyncRuleV2(c, title, kind, v2SyncAgents);

      rule(
        secrets.length > 0 || "no secret values given (options.secrets)",
        title("no secret value appears in resource_meta, messages or errors"),
        () =>
          withCase(c, async (template, inputs) => {
            expectKind(template, kind, c);
            const texts: Array<[string, string]> = [];
            try {
              if (v1 && isSync()) {
                const resource = await client().executeTaskSync({ template, inputs });
                texts.push(["the ExecuteTaskSync message", resource.message]);
              } else {
                const meta = await client().createTask({ template, inputs });
                texts.push(["resource_meta", Buffer.from(meta).toString("latin1")]);
                await pollTask(client(), categoryOf(template), meta, {
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

  /** The ExecuteTaskSync rules (v1 only: flyteidl2 has no sync service). */
  function defineSyncRulesV1(c: ConformanceCase, title: (rule: string) => string, kind: "async" | "sync"): void {
    const client = () => server().clientFor("v1");
    rule(
      kind === "async" || "the case's agent is sync",
      title("async: ExecuteTaskSync fails with an error status"),
      () =>
        withCase(c, async (template, inputs) => {
          expectKind(template, kind, c);
          const err = await client()
            .executeTaskSync({ template, inputs })
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

    rule(
      kind === "sync" || "the case's agent is async",
      title("sync: ExecuteTaskSync answers with exactly one terminal header"),
      () =>
        withCase(c, async (template, inputs) => {
          expectKind(template, kind, c);
          const replies = await client().executeTaskSyncAll({ template, inputs });
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
  }

  /** Over v2 a sync agent is either run through CreateTask (listed) or refused with FAILED_PRECONDITION (not listed). */
  function defineSyncRuleV2(
    c: ConformanceCase,
    title: (rule: string) => string,
    kind: "async" | "sync",
    v2SyncAgents: "refused" | "served",
  ): void {
    rule(
      kind === "async"
        ? "the case's agent is async"
        : v2SyncAgents === "served"
          ? "the server serves sync agents over v2 (v2SyncAgents): the async rules above ran it"
          : true,
      title("sync: runs through CreateTask, or is refused with FAILED_PRECONDITION and not listed"),
      () =>
        withCase(c, async (template, inputs) => {
          expectKind(template, kind, c);
          const category = categoryOf(template);
          const listed = (await server().clientFor("v2").listAgents()).some((a) =>
            a.supportedTaskCategories.some((t) => t.name === category.name && t.version === category.version),
          );
          assert.ok(!listed, `ListConnectors lists the sync agent of ${formatCategory(category)}, which the server refuses`);
          const err = await server()
            .clientFor("v2")
            .createTask({ template, inputs })
            .then(
              () => undefined,
              (e: unknown) => e,
            );
          assert.ok(err, "CreateTask over v2 started a sync agent that ListConnectors does not list");
          const code = (err as Partial<RpcError>).code;
          assert.equal(
            code,
            GrpcStatus.FAILED_PRECONDITION,
            `CreateTask of an unlisted sync agent over v2 must fail with FAILED_PRECONDITION, got ${
              err instanceof TaskRunError ? err.message : String(code)
            }`,
          );
          assert.match(
            (err as RpcError).details,
            /SyncAgentService|ExecuteTaskSync/,
            "the refusal must name the v1 sync service to call instead",
          );
        }),
      testTimeout,
    );
  }
}
