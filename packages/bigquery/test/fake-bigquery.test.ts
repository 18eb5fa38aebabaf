import { FakeBigQuery } from "../src/testing";

const TOKEN = "ya29.fake-test-token-0003";
let fake: FakeBigQuery;
beforeAll(async () => {
  fake = await FakeBigQuery.start({ accessToken: TOKEN });
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

/** Sends jobs.insert straight to the fake (no plugin, no Google client), to test the fake itself. */
async function insert(
  body: unknown,
  contentType = "application/json",
  authorization: string | null = `Bearer ${TOKEN}`,
): Promise<{ status: number; message: string }> {
  const res = await fetch(`${fake.url}/bigquery/v2/projects/p1/jobs`, {
    method: "POST",
    headers: { "content-type": contentType, ...(authorization === null ? {} : { authorization }) },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const json = (await res.json()) as { error?: { message: string } };
  return { status: res.status, message: json.error?.message ?? "" };
}

const job = (query: Record<string, unknown> = {}, configuration: Record<string, unknown> = {}) => ({
  jobReference: { projectId: "p1", jobId: "flyte_job_1" },
  configuration: { query: { query: "SELECT @n", useLegacySql: false, ...query }, ...configuration },
});
const int64Param = (value: unknown) => ({
  queryParameters: [{ name: "n", parameterType: { type: "INT64" }, parameterValue: { value } }],
});

test("refuses a request without a bearer token, or with another one, as BigQuery does (401)", async () => {
  expect(await insert(job(), "application/json", null)).toEqual({
    status: 401,
    message: expect.stringMatching(/^Request is missing required authentication credential/),
  });
  expect(await insert(job(), "application/json", "Bearer ya29.someone-elses-token")).toEqual({
    status: 401,
    message: expect.stringMatching(/^Request had invalid authentication credentials/),
  });
  expect(await insert(job(), "application/json", TOKEN)).toMatchObject({ status: 401 });
  expect(fake.jobs.size).toBe(0);
  expect(await insert(job())).toEqual({ status: 200, message: "" });
});

test("accepts a well-typed jobs.insert", async () => {
  expect(await insert(job(int64Param("9007199254740993")))).toEqual({ status: 200, message: "" });
  expect(fake.jobs.has("p1/flyte_job_1")).toBe(true);
});

test("refuses int64 values that are not decimal strings, as BigQuery's REST API does", async () => {
  expect(await insert(job(int64Param(9007199254740992)))).toEqual({
    status: 400,
    message: "queryParameters[0].parameterValue.value must be a string, got number",
  });
  expect((await insert(job(int64Param("12.5")))).message).toBe('queryParameters[0]: "12.5" is not an INT64');
  expect((await insert(job({}, { jobTimeoutMs: 60000 }))).message).toBe("configuration.jobTimeoutMs must be an int64 string");
  expect((await insert(job({ maximumBytesBilled: 10 }))).message).toBe("maximumBytesBilled must be an int64 string");
  expect(fake.jobs.size).toBe(0);
});

test("refuses bodies that are not JSON objects, wrong field types and mismatched projects", async () => {
  expect((await insert("{not json")).status).toBe(400);
  expect((await insert(job(), "text/plain")).message).toBe("Content-Type must be application/json");
  expect((await insert([job()])).message).toBe("the request body must be a JSON object");
  expect((await insert(job({ useLegacySql: "false" }))).message).toBe("useLegacySql must be a boolean");
  expect((await insert({ ...job(), jobReference: { projectId: "p2", jobId: "j" } })).message).toBe(
    "jobReference.projectId does not match the URL",
  );
  expect((await insert({ ...job(), jobReference: { jobId: "bad/id" } })).message).toBe("Invalid job ID");
  expect(fake.jobs.size).toBe(0);
});
