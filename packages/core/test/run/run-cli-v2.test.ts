/**
 * `flyte-agent run --protocol v2` in a child process against the v2 bridge fixture (flyteidl2
 * services over a real v1 AgentServer): the connection flags reach the server, secret values
 * come from the environment or a file, and bad connection flags exit 2 without echoing a value.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { connector } from "@flyte-agent/flyteidl/v2";
import { AgentRegistry, AgentServer, Phase, toLiteralMap } from "../../src";
import { startV2Bridge, type V2Bridge } from "../fixtures/v2-bridge-server";
import { at, ScriptedAgent } from "./helpers/agents";
import { runCli, tempDir, writeJson } from "./helpers/cli";

const TEMPLATE = {
  id: { resourceType: "TASK", project: "p", domain: "d", name: "scripted", version: "1" },
  type: "scripted",
  taskTypeVersion: 1,
  interface: { outputs: { variables: { n: { type: { simple: "INTEGER" } } } } },
};
const FAST = ["--poll-interval", "20ms", "--max-poll-interval", "50ms"];

let server: AgentServer;
let bridge: V2Bridge;
let dir: string;

beforeAll(async () => {
  const registry = new AgentRegistry();
  registry.register(new ScriptedAgent([at(Phase.RUNNING), at(Phase.SUCCEEDED, "done", { outputs: toLiteralMap({ n: 5n }) })]));
  server = new AgentServer({ registry, reflection: false });
  const port = await server.listen(0, "127.0.0.1");
  bridge = await startV2Bridge(`127.0.0.1:${port}`);
});
afterAll(async () => {
  await bridge.close();
  await server.shutdown({ drainMs: 500 });
});
beforeEach(() => {
  dir = tempDir();
  bridge.calls.length = 0;
});

test("--protocol v2 runs the task and sends the connection: secrets from env and file, configs, task type", async () => {
  const template = writeJson(dir, "task.json", TEMPLATE);
  const keyFile = join(dir, "key.pem");
  writeFileSync(keyFile, "-----BEGIN KEY-----\nabc\n-----END KEY-----\n");
  const { code, stdout, stderr } = await runCli(
    [
      "run",
      template,
      "--endpoint",
      bridge.target,
      "--protocol",
      "v2",
      "--connection-secret",
      "api_token=env:TEST_API_TOKEN",
      "--connection-secret",
      `private_key=file:${keyFile}`,
      "--connection-config",
      "region=eu-west-1",
      ...FAST,
    ],
    { TEST_API_TOKEN: "tok-from-env" },
  );
  expect({ code, stderr }).toMatchObject({ code: 0 });
  expect(JSON.parse(stdout)).toEqual({ n: 5 });
  expect(stderr).not.toContain("tok-from-env");
  expect(stderr).toMatch(/running scripted@1 \(async\) on 127\.0\.0\.1:\d+ over flyteidl2 \(v2\)/);
  const ops = bridge.calls.map((c) => c.operation);
  expect(ops[0]).toBe("ListConnectors");
  expect(ops.slice(1, 2)).toEqual(["CreateTask"]);
  expect(ops.filter((o) => o === "GetTask").length).toBeGreaterThanOrEqual(2);
  for (const call of bridge.calls.slice(1)) {
    expect((call.request as connector.GetTaskRequest).connection).toEqual({
      taskType: "scripted",
      secrets: { api_token: "tok-from-env", private_key: "-----BEGIN KEY-----\nabc\n-----END KEY-----" },
      configs: { region: "eu-west-1" },
    });
  }
});

test("--connection-task-type overrides the template's type; no connection flags send no connection", async () => {
  const template = writeJson(dir, "task.json", TEMPLATE);
  const withType = await runCli([
    "run",
    template,
    "-e",
    bridge.target,
    "--protocol",
    "v2",
    "--connection-task-type",
    "other",
    ...FAST,
  ]);
  expect(withType.code).toBe(0);
  const create = bridge.calls.find((c) => c.operation === "CreateTask")?.request as connector.CreateTaskRequest;
  expect(create.connection).toEqual({ taskType: "other", secrets: {}, configs: {} });
  bridge.calls.length = 0;
  const without = await runCli(["run", template, "-e", bridge.target, "--protocol", "v2", ...FAST]);
  expect(without.code).toBe(0);
  const bare = bridge.calls.find((c) => c.operation === "CreateTask")?.request as connector.CreateTaskRequest;
  expect(bare.connection).toBeUndefined();
});

test("bad protocol and connection flags exit 2 before any call, never echoing a secret value", async () => {
  const template = writeJson(dir, "task.json", TEMPLATE);
  const base = ["run", template, "-e", bridge.target];
  const literal = await runCli([...base, "--protocol", "v2", "--connection-secret", "api_token=hunter2-literal"]);
  expect(literal.code).toBe(2);
  expect(literal.stderr).toContain('The value of "api_token" must be env:NAME or file:PATH');
  expect(literal.stderr).not.toContain("hunter2-literal");
  const unset = await runCli([...base, "--protocol", "v2", "--connection-secret", "api_token=env:NOT_SET_ANYWHERE_42"]);
  expect(unset.code).toBe(2);
  expect(unset.stderr).toContain('Environment variable "NOT_SET_ANYWHERE_42" is not set');
  const missingFile = await runCli([...base, "--protocol", "v2", "--connection-secret", `k=file:${join(dir, "nope")}`]);
  expect(missingFile.code).toBe(2);
  expect(missingFile.stderr).toContain("ENOENT");
  const badProtocol = await runCli([...base, "--protocol", "v3"]);
  expect(badProtocol.code).toBe(2);
  expect(badProtocol.stderr).toContain("Allowed choices are v1, v2");
  const overV1 = await runCli([...base, "--connection-config", "region=x"]);
  expect(overV1.code).toBe(2);
  expect(overV1.stderr).toContain("need --protocol v2");
  const badKey = await runCli([...base, "--protocol", "v2", "--connection-config", "=x"]);
  expect(badKey.code).toBe(2);
  expect(badKey.stderr).toContain("Expected key=value");
  expect(bridge.calls).toEqual([]);
});
