/**
 * The Databricks plugin served over flyteidl2 to a client we did not write (@flyteorg/flyteidl2 +
 * connect-node), with the access token only in the task's connection, as Flyte 2 sends it: no pod
 * secret is set, so every Jobs API call authenticates with the connection's `databricks_token`.
 */
import { StatusCode } from "@flyte-agent/core";
import { startTestServer, type TestServer } from "../src";
import { createFlyteidl2Clients, type Flyteidl2Clients, TaskExecution_Phase } from "./support/flyteidl2-client";
import plugin from "../../databricks/src";
import { type FakeDatabricks, startFakeDatabricks } from "../../databricks/src/testing";

const TOKEN = "dapi-connection-only-token-7";
const saved = { ...process.env };
const category = { name: "databricks", version: 0 };
const template = {
  type: "databricks",
  custom: { databricksConf: { existing_cluster_id: "0101-cluster" } },
  container: { image: "ghcr.io/example/spark:1.0", args: ["pyflyte-execute", "--inputs", "s3://bucket/inputs.pb"] },
};

let fake: FakeDatabricks;
let server: TestServer;
let v2: Flyteidl2Clients;

beforeAll(async () => {
  fake = await startFakeDatabricks({ token: TOKEN });
  process.env.FLYTE_DATABRICKS_INSTANCE = fake.url;
  delete process.env._FSEC_FLYTE_DATABRICKS_ACCESS_TOKEN;
  process.env.FLYTE_SECRETS_DEFAULT_DIR = "/nonexistent/secrets";
  server = await startTestServer({ plugins: [plugin] });
  v2 = createFlyteidl2Clients(server.address);
});
afterAll(async () => {
  v2.close();
  await server.close();
  await fake.close();
  process.env = saved;
});

const connectError = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error("expected the call to fail");
    },
    // A ConnectError: its code is the gRPC status code, rawMessage the status message.
    (e: { code: number; rawMessage: string }) => e,
  );

test("CreateTask, GetTask until SUCCEEDED and DeleteTask authenticate with the connection's databricks_token", async () => {
  const connection = { taskType: "databricks", secrets: { databricks_token: TOKEN } };
  const before = { ...fake.stats };
  const { resourceMeta } = await v2.connector.createTask({ template, outputPrefix: "s3://b/o/0", connection });
  expect(Buffer.from(resourceMeta).toString()).not.toContain(TOKEN);
  const phases: TaskExecution_Phase[] = [];
  for (;;) {
    const { resource } = await v2.connector.getTask({ resourceMeta, taskCategory: category, connection });
    if (phases.at(-1) !== resource?.phase) phases.push(resource?.phase ?? TaskExecution_Phase.UNDEFINED);
    if (resource?.phase === TaskExecution_Phase.SUCCEEDED || resource?.phase === TaskExecution_Phase.FAILED) {
      expect(resource.logLinks[0]?.uri).toMatch(new RegExp(`^${fake.url}/`));
      break;
    }
  }
  expect(phases).toEqual([TaskExecution_Phase.INITIALIZING, TaskExecution_Phase.RUNNING, TaskExecution_Phase.SUCCEEDED]);
  await v2.connector.deleteTask({ resourceMeta, taskCategory: category, connection });
  expect(fake.stats.submits - before.submits).toBe(1);
  expect(fake.stats.gets - before.gets).toBe(3);
  expect(fake.stats.cancels - before.cancels).toBe(1);
  expect(fake.stats.unauthorized).toBe(before.unauthorized);
});

test("a wrong token in the connection reaches the fake, which refuses it: UNAUTHENTICATED without the token", async () => {
  const before = fake.stats.unauthorized;
  const err = await connectError(
    v2.connector.createTask({ template, connection: { secrets: { databricks_token: "dapi-wrong-token-8" } } }),
  );
  expect(fake.stats.unauthorized).toBeGreaterThan(before);
  expect(err.code).toBe(StatusCode.UNAUTHENTICATED);
  expect(err.rawMessage).not.toContain("dapi-wrong-token-8");
});

test("a connection without databricks_token and no pod secret: FAILED_PRECONDITION naming the key", async () => {
  const err = await connectError(v2.connector.createTask({ template, connection: { secrets: { other: "value-1234" } } }));
  expect(err.code).toBe(StatusCode.FAILED_PRECONDITION);
  expect(err.rawMessage).toBe(
    'no Databricks access token: the connection has no secret "databricks_token", and neither _FSEC_FLYTE_DATABRICKS_ACCESS_TOKEN nor /nonexistent/secrets/flyte_databricks_access_token is set on the agent',
  );
});
