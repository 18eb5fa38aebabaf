/**
 * `flyte-agent run --protocol v2 --connection-secret` against the real server (AgentServer in
 * another process, serving the built plugin over both protocols): the Databricks token lives
 * only in the connection (no pod secret in the server's environment) and must reach the fake
 * workspace's Authorization header through the agent's `ctx.connection`.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { flyteidl } from "@flyte-agent/core";
import { type ServerProcess, startServerProcess } from "@flyte-agent/testing";
import { type FakeDatabricks, startFakeDatabricks } from "../src/testing";
import { databricksTemplate } from "./helpers";

const BIN = join(dirname(require.resolve("@flyte-agent/core")), "..", "bin", "flyte-agent.js");
const BUILT_PLUGIN = join(__dirname, "..", "dist", "index.js");
const TOKEN = "dapi-connection-only-token-77";

let fake: FakeDatabricks;
let server: ServerProcess;
let templateFile: string;

beforeAll(async () => {
  fake = await startFakeDatabricks({ token: TOKEN });
  // The workspace comes from the server's environment; the token does not.
  const env: Record<string, string> = { FLYTE_DATABRICKS_INSTANCE: fake.url, _FSEC_FLYTE_DATABRICKS_ACCESS_TOKEN: "" };
  server = await startServerProcess({ modules: [BUILT_PLUGIN], env });
  const dir = mkdtempSync(join(tmpdir(), "dbx-v2-"));
  templateFile = join(dir, "task.json");
  const template = databricksTemplate({ databricksConf: { existing_cluster_id: "0101-cluster" } });
  writeFileSync(templateFile, JSON.stringify(flyteidl.core.TaskTemplate.toJSON(template)));
}, 30_000);
afterAll(async () => {
  await server?.close();
  await fake?.close();
});

/** Runs `flyte-agent run --protocol v2` against the server with `token` as the connection's databricks_token. */
function runWithToken(token: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const args = [BIN, "run", templateFile, "--endpoint", server.address, "--protocol", "v2"];
  args.push(
    "--connection-secret",
    "databricks_token=env:DBX_CONNECTION_TOKEN",
    "--poll-interval",
    "20ms",
    "--max-poll-interval",
    "50ms",
  );
  return new Promise((resolve) => {
    execFile(process.execPath, args, { env: { ...process.env, DBX_CONNECTION_TOKEN: token } }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

test("the connection's databricks_token reaches the workspace's Authorization header and the run succeeds", async () => {
  const before = { ...fake.stats };
  const { code, stdout, stderr } = await runWithToken(TOKEN);
  expect({ code, stderr }).toMatchObject({ code: 0 });
  expect(JSON.parse(stdout)).toEqual({});
  expect(fake.stats.submits - before.submits).toBe(1);
  expect(fake.stats.gets - before.gets).toBeGreaterThanOrEqual(1);
  expect(fake.stats.unauthorized - before.unauthorized).toBe(0);
  expect(stdout + stderr).not.toContain(TOKEN);
});

test("a wrong token in the connection fails the run with the workspace's refusal, never echoing the token", async () => {
  const wrong = "dapi-wrong-connection-token-13";
  const before = { ...fake.stats };
  const { code, stdout, stderr } = await runWithToken(wrong);
  expect(code).not.toBe(0);
  expect(fake.stats.unauthorized - before.unauthorized).toBeGreaterThanOrEqual(1);
  expect(fake.stats.submits - before.submits).toBe(0);
  expect(stderr).toMatch(/CreateTask failed: (UNAUTHENTICATED|PERMISSION_DENIED)/);
  expect(stdout + stderr).not.toContain(wrong);
});
