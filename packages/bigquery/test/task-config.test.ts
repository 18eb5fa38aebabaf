import { TaskInputError } from "@flyte-agent/core";
import { type CustomValue, taskTemplate, testExecutionMetadata } from "@flyte-agent/testing";
import { buildJobRequest } from "../src/job-config";
import { deriveJobId } from "../src/job-id";
import { readTaskConfig } from "../src/task-config";
import { BIGQUERY_PLUGIN_VERSION } from "../src/version";

const read = (custom: Record<string, CustomValue>, sql = "SELECT @x") =>
  readTaskConfig(taskTemplate({ type: "bigquery_query_job_task", sql, custom: { ProjectID: "proj-1", ...custom } }));

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error("did not throw");
}

test("query fields go to configuration.query, job-level fields beside it, unknown fields pass through", () => {
  const config = read({
    Location: "EU",
    Domain: "production",
    labels: { team: "ml" },
    dryRun: false,
    reservation: "projects/p/locations/EU/reservations/r",
    maximumBytesBilled: 5000000,
    useQueryCache: false,
    clustering: { fields: ["a"] },
  });
  const request = buildJobRequest(config, [], "job_1");
  expect(request).toEqual({
    jobId: "job_1",
    location: "EU",
    configuration: {
      labels: { team: "ml" },
      dryRun: false,
      reservation: "projects/p/locations/EU/reservations/r",
      query: {
        useLegacySql: false,
        query: "SELECT @x",
        maximumBytesBilled: "5000000",
        useQueryCache: false,
        clustering: { fields: ["a"] },
      },
    },
  });
  expect(config.domain).toBe("production");
});

test.each([
  [{ ProjectID: "" }, "custom.ProjectID is required"],
  [{ ProjectID: 12 }, "custom.ProjectID must be a string, got number"],
  [{ ProjectID: "proj/../x" }, "is not a valid project id"],
  [{ priority: "URGENT" }, 'priority must be INTERACTIVE or BATCH, got "URGENT"'],
  [{ maximumBytesBilled: -1 }, "maximumBytesBilled must be a non-negative integer"],
  [{ destinationTable: { tableId: "t" } }, "destinationTable must be an object with datasetId and tableId"],
  [{ labels: { n: 1 } }, "labels must be an object of strings"],
  [{ queryParameters: [] }, "custom.queryParameters is not allowed"],
  [{ ParameterTypes: ["DATE"] }, "custom.ParameterTypes must be an object"],
])("custom %j is INVALID_ARGUMENT", (custom, message) => {
  const err = thrown(() => read(custom as Record<string, CustomValue>));
  expect(err).toBeInstanceOf(TaskInputError);
  expect(err.message).toContain(message);
});

test("legacy SQL cannot take named parameters", () => {
  const config = read({ useLegacySql: true });
  const param = { name: "x", parameterType: { type: "INT64" }, parameterValue: { value: "1" } };
  expect(thrown(() => buildJobRequest(config, [param], "j")).message).toContain("useLegacySql cannot be true");
  expect(buildJobRequest(config, [], "j").configuration.query.useLegacySql).toBe(true);
});

test("the job id is stable per attempt, differs between attempts and executions, and is a valid BigQuery job id", () => {
  const a0 = deriveJobId(testExecutionMetadata("exec-1", 0), "s3://b/x");
  expect(deriveJobId(testExecutionMetadata("exec-1", 0), "s3://b/other")).toBe(a0);
  expect(deriveJobId(testExecutionMetadata("exec-1", 1), "s3://b/x")).not.toBe(a0);
  expect(deriveJobId(testExecutionMetadata("exec-2", 0), "s3://b/x")).not.toBe(a0);
  expect(a0).toMatch(/^flyte_exec-1_n0_0_[0-9a-f]{24}$/);
  const odd = deriveJobId(testExecutionMetadata("exec with spaces/and:colons".repeat(5), 0), "");
  expect(odd).toMatch(/^[A-Za-z0-9_-]+$/);
  expect(odd.length).toBeLessThan(128);
});

test("without an execution id the job id follows the output prefix (local runs), else it is random", () => {
  expect(deriveJobId(undefined, "file:///tmp/run-1")).toBe(deriveJobId(undefined, "file:///tmp/run-1"));
  expect(deriveJobId(undefined, "")).not.toBe(deriveJobId(undefined, ""));
});

test("the version constant matches package.json", () => {
  expect(BIGQUERY_PLUGIN_VERSION).toBe(require("../package.json").version);
});
