/**
 * The template plugin served over flyteidl2 to a client we did not write (@flyteorg/flyteidl2 +
 * connect-node), as Flyte 2's executor calls it: ListConnectors, CreateTask, GetTask until a
 * terminal phase, DeleteTask; and a task created over flyteidl 1 finished over flyteidl2.
 */
import { StatusCode, toLiteralMap } from "@flyte-agent/core";
// The template plugin's source (no package dependency: the template is what `flyte-agent new` copies).
import plugin from "../../template/src";
import { startTestServer, type TestServer, taskTemplate } from "../src";
import { createFlyteidl2Clients, type Flyteidl2Clients, TaskExecution_Phase } from "./support/flyteidl2-client";

const category = { name: "custom_task", version: 0 };
let server: TestServer;
let v2: Flyteidl2Clients;

beforeAll(async () => {
  server = await startTestServer({ plugins: [plugin] });
  v2 = createFlyteidl2Clients(server.address);
});
afterAll(async () => {
  v2.close();
  await server.close();
});

const TERMINAL = new Set([TaskExecution_Phase.SUCCEEDED, TaskExecution_Phase.FAILED, TaskExecution_Phase.ABORTED]);

/** GetTask until a terminal phase; the phases seen, in order, and the last resource. */
async function untilTerminal(resourceMeta: Uint8Array) {
  const phases: TaskExecution_Phase[] = [];
  for (;;) {
    const { resource } = await v2.connector.getTask({ resourceMeta, taskCategory: category });
    if (!resource) throw new Error("GetTask answered without a resource");
    if (phases.at(-1) !== resource.phase) phases.push(resource.phase);
    if (TERMINAL.has(resource.phase)) return { resource, phases };
    await new Promise((r) => setTimeout(r, 20)); // poll interval, as the executor has one
  }
}

test("ListConnectors names the template's connector and category", async () => {
  const { connectors } = await v2.metadata.listConnectors({});
  expect(connectors.map((c) => [c.name, c.supportedTaskCategories.map((t) => `${t.name}@${t.version}`)])).toEqual(
    expect.arrayContaining([["Custom Agent", ["custom_task@0"]]]),
  );
});

test("CreateTask, GetTask until SUCCEEDED with the inputs as named outputs, DeleteTask", async () => {
  const { resourceMeta } = await v2.connector.createTask({
    template: { type: "custom_task", custom: { durationSeconds: 1.5 } },
    inputs: {
      literals: [
        {
          name: "x",
          value: {
            value: {
              case: "scalar",
              value: { value: { case: "primitive", value: { value: { case: "integer", value: 9007199254740993n } } } },
            },
          },
        },
      ],
    },
    outputPrefix: "s3://bucket/run/0",
  });
  const { resource, phases } = await untilTerminal(resourceMeta);
  expect(phases).toEqual([TaskExecution_Phase.RUNNING, TaskExecution_Phase.SUCCEEDED]);
  expect(resource.message).toMatch(/^job .+ succeeded$/);
  const x = resource.outputs?.literals.find((l) => l.name === "x")?.value?.value;
  expect(x?.case === "scalar" && x.value.value.case === "primitive" && x.value.value.value.value).toEqual({
    case: "integer",
    value: 9007199254740993n,
  });
  await v2.connector.deleteTask({ resourceMeta, taskCategory: category });
});

test("a failing task ends FAILED with the plugin's message", async () => {
  const { resourceMeta } = await v2.connector.createTask({
    template: { type: "custom_task", custom: { durationSeconds: 0, fail: true } },
  });
  const { resource } = await untilTerminal(resourceMeta);
  expect(resource.phase).toBe(TaskExecution_Phase.FAILED);
  expect(resource.message).toContain("failed because the task set custom.fail = true");
});

test("a task created over flyteidl 1 is polled and deleted over flyteidl2", async () => {
  const meta = await server.client.createTask({
    template: taskTemplate({ type: "custom_task", custom: { durationSeconds: 0 } }),
    inputs: toLiteralMap({ name: "flyte" }),
  });
  const { resource } = await untilTerminal(meta);
  expect(resource.outputs?.literals.map((l) => l.name)).toEqual(["name"]);
  await v2.connector.deleteTask({ resourceMeta: meta, taskCategory: category });
});

test("a bad durationSeconds is INVALID_ARGUMENT over flyteidl2 as over flyteidl 1", async () => {
  const err = await v2.connector.createTask({ template: { type: "custom_task", custom: { durationSeconds: -1 } } }).then(
    () => undefined,
    (e: { code: number; rawMessage: string }) => e,
  );
  const v1 = await server.client
    .createTask({ template: taskTemplate({ type: "custom_task", custom: { durationSeconds: -1 } }) })
    .then(
      () => undefined,
      (e: { code: number; details: string }) => e,
    );
  expect(err?.code).toBe(StatusCode.INVALID_ARGUMENT);
  expect(v1?.code).toBe(StatusCode.INVALID_ARGUMENT);
  expect(err?.rawMessage).toBe(v1?.details);
});
