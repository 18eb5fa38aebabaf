import { toLiteralMap } from "@flyte-agent/core";
import { checkConformance, taskTemplate } from "@flyte-agent/testing";
import { BigQueryAgent } from "../src";
import { FakeBigQuery } from "../src/testing";

const TOKEN = "ya29.conformance-token-0002";
let fake: FakeBigQuery;

beforeAll(async () => {
  fake = await FakeBigQuery.start({ accessToken: TOKEN });
});
afterAll(() => fake.close());

const template = () =>
  taskTemplate({
    type: "bigquery_query_job_task",
    sql: "SELECT name FROM `p.d.people` WHERE age > @age",
    inputs: { age: "integer" },
    outputs: {
      results: {
        type: {
          $case: "structuredDatasetType",
          value: { columns: [], format: "", externalSchemaType: "", externalSchemaBytes: Buffer.alloc(0) },
        },
      },
    },
    custom: { ProjectID: "flyte-test", Location: "asia-northeast1", Domain: "development" },
  });

checkConformance(
  () => [new BigQueryAgent({ apiEndpoint: fake.url, accessToken: () => TOKEN, retry: { baseDelayMs: 1 } })],
  [
    {
      name: "query job",
      template,
      inputs: () => toLiteralMap({ age: 21n }),
      expectPhase: "SUCCEEDED",
      // The agents can only be built once the fake has started: say which kind serves the case.
      kind: "async",
      unknownResourceMeta: () =>
        Buffer.from(JSON.stringify({ jobId: "flyte_never_created", project: "flyte-test", location: "US" })),
      setup: () => fake.reset(),
    },
    {
      name: "query that BigQuery rejects",
      template,
      inputs: () => toLiteralMap({ age: 21n }),
      expectPhase: "FAILED",
      kind: "async",
      setup: () => {
        fake.reset();
        fake.scriptFor = () => ({ states: ["DONE"], error: { reason: "invalidQuery", message: "Unrecognized name: agee" } });
      },
    },
  ],
  { secrets: [TOKEN], pollIntervalMs: 5 },
);
