/**
 * The BigQuery plugin over flyteidl2, driven by a client we did not write (@flyteorg/flyteidl2 +
 * connect-node): a connection whose `google_application_credentials` is not a service-account
 * key gets the status a bad pod secret gets over flyteidl 1, and neither message shows the value.
 */
import { StatusCode, toLiteralMap } from "@flyte-agent/core";
import { type RpcError, startTestServer, type TestServer, taskTemplate } from "../src";
import { createFlyteidl2Clients, type Flyteidl2Clients } from "./support/flyteidl2-client";
import { BigQueryAgent } from "../../bigquery/src";

const BAD = "not-a-key-but-5ecret-value";
let server: TestServer;
let v2: Flyteidl2Clients;
const saved = { ...process.env };

beforeAll(async () => {
  process.env._FSEC_FLYTE_BIGQUERY_SERVICE_ACCOUNT_JSON = BAD;
  server = await startTestServer({ agents: [new BigQueryAgent({ apiEndpoint: "http://127.0.0.1:9" })] });
  v2 = createFlyteidl2Clients(server.address);
});
afterAll(async () => {
  v2.close();
  await server.close();
  process.env = saved;
});

const custom = { ProjectID: "flyte-test", Location: "US" };

test("a connection secret in the wrong format: FAILED_PRECONDITION on v2 as a bad pod secret on v1, value never shown", async () => {
  const v2err = await v2.connector
    .createTask({
      template: { type: "bigquery_query_job_task", custom, target: { case: "sql", value: { statement: "SELECT 1" } } },
      connection: { secrets: { google_application_credentials: BAD.replace("5ecret", "conn-5ecret") } },
    })
    .then(
      () => undefined,
      (e: { code: number; rawMessage: string }) => e,
    );
  expect(v2err?.code).toBe(StatusCode.FAILED_PRECONDITION);
  expect(v2err?.rawMessage).toBe(
    "connection secret google_application_credentials is not JSON; it must hold a service-account key",
  );

  const v1err = await server.client
    .createTask({
      template: taskTemplate({ type: "bigquery_query_job_task", custom, sql: "SELECT 1" }),
      inputs: toLiteralMap({}),
    })
    .then(
      () => undefined,
      (e: RpcError) => e,
    );
  expect(v1err?.code).toBe(StatusCode.FAILED_PRECONDITION);
  expect(v1err?.details).toBe("secret FLYTE_BIGQUERY_SERVICE_ACCOUNT_JSON is not JSON; it must hold a service-account key");
  expect(`${v2err?.rawMessage} ${v1err?.details}`).not.toContain("5ecret");
});
