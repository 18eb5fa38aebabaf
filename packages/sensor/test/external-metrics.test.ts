/**
 * Core's external API metrics for the sensor's S3 and Cloud Storage calls: the real clients
 * against the fakes, with scripted faults.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AgentMetrics } from "@flyte-agent/core";
import { GcsExists } from "../src/gcs-exists";
import { S3Exists } from "../src/s3-exists";
import { type FakeGcs, type FakeS3, startFakeGcs, startFakeS3 } from "../src/testing";

let s3Fake: FakeS3;
let gcsFake: FakeGcs;
const saved = { ...process.env };
const metrics = new AgentMetrics({ defaultMetrics: false });
const ctx = () => ({ signal: new AbortController().signal, deadline: new Date(Date.now() + 20_000) });

beforeAll(async () => {
  s3Fake = await startFakeS3({
    buckets: { landing: { objects: ["reports/2026-12-07.csv"] }, locked: { objects: ["present.csv"], listAllowed: false } },
  });
  gcsFake = await startFakeGcs({ buckets: { landing: { objects: ["reports/2026-12-07.csv"] }, sealed: { denied: true } } });
  process.env.AWS_ENDPOINT_URL_S3 = s3Fake.url;
  process.env.AWS_ACCESS_KEY_ID = s3Fake.credentials.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = s3Fake.credentials.secretAccessKey;
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_MAX_ATTEMPTS;
  delete process.env.GOOGLE_APPLICATION_CREDENTIALS;
  delete process.env.STORAGE_EMULATOR_HOST;
  process.env.CLOUDSDK_CONFIG = mkdtempSync(join(tmpdir(), "no-gcloud-"));
  process.env.HOME = process.env.CLOUDSDK_CONFIG;
  process.env.GCE_METADATA_HOST = gcsFake.metadataHost;
});
afterAll(async () => {
  process.env = saved;
  await s3Fake.close();
  await gcsFake.close();
});

/** The value of one series of core's external API metrics (0 when absent). */
async function value(name: string, labels: Record<string, string>): Promise<number> {
  const metric = metrics.registry.getSingleMetric(name);
  if (!metric) throw new Error(`${name} is not registered`);
  const { values } = await metric.get();
  const found = values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l));
  return found?.value ?? 0;
}

/** The series a test reads, for one service. */
async function snapshot(service: string) {
  const requests = (code: string) => value("flyte_agent_external_requests_total", { service, code });
  const retries = (reason: string) => value("flyte_agent_external_retries_total", { service, reason });
  return {
    ok: await requests("200"),
    forbidden: await requests("403"),
    notFound: await requests("404"),
    failed: await requests("500"),
    unavailable: await requests("503"),
    noAnswer: await requests("network_error"),
    timed: await value("flyte_agent_external_request_duration_seconds", { service, le: "+Inf" }),
    retry429: await retries("429"),
    retry5xx: await retries("5xx"),
    retryNetwork: await retries("network_error"),
    gaveUp: await value("flyte_agent_external_failures_total", { service }),
  };
}

test("S3: every attempt of the AWS SDK is counted, retries by reason (SlowDown is throttling), requests given up", async () => {
  const check = new S3Exists({ region: "us-east-1", forcePathStyle: true });
  const before = await snapshot("S3");

  // ListObjectsV2 (the bucket alone): 503 SlowDown, then the answer.
  s3Fake.failNext(503, 1);
  await expect(check.check("landing", "", ctx())).resolves.toEqual({ exists: true });
  // HeadObject: 500 on each of the SDK's 3 attempts (its default), so the request is given up.
  s3Fake.failNext(500, 3);
  expect((await check.check("landing", "reports/2026-12-07.csv", ctx())).exists).toBe(false);
  // HeadObject: the connection dropped, then the answer.
  s3Fake.failNext("drop", 1);
  await expect(check.check("landing", "reports/2026-12-07.csv", ctx())).resolves.toEqual({ exists: true });
  // Without s3:ListBucket: HeadObject 403, then ListObjectsV2 403.
  expect((await check.check("locked", "missing.csv", ctx())).exists).toBe(false);
  check.close();

  expect(await snapshot("S3")).toEqual({
    ...before,
    ok: before.ok + 2,
    forbidden: before.forbidden + 2,
    failed: before.failed + 3,
    unavailable: before.unavailable + 1,
    noAnswer: before.noAnswer + 1,
    timed: before.timed + 9,
    retry429: before.retry429 + 1,
    retry5xx: before.retry5xx + 2,
    retryNetwork: before.retryNetwork + 1,
    gaveUp: before.gaveUp + 1,
  });
});

test("GCS: each call of the Google client is counted once by its final status; 5xx to the end is given up", async () => {
  const check = new GcsExists({ endpoint: gcsFake.url });
  const before = await snapshot("GCS");
  const faultsBefore = gcsFake.stats.faults;

  // The bucket: 200.
  await expect(check.check("landing", "", ctx())).resolves.toEqual({ exists: true });
  // A missing object: its metadata is 404, the listing of `name/` 200.
  await expect(check.check("landing", "reports/2026-12-08.csv", ctx())).resolves.toEqual({ exists: false });
  // 503 on the client's first attempt and both its retries: one call, 503, given up.
  gcsFake.failNext(503, 3);
  expect((await check.check("landing", "", ctx())).exists).toBe(false);
  // A bucket the agent may not read: 403.
  expect((await check.check("sealed", "x.csv", ctx())).exists).toBe(false);

  expect(gcsFake.stats.faults - faultsBefore).toBe(3);
  expect(await snapshot("GCS")).toEqual({
    ...before,
    ok: before.ok + 2,
    notFound: before.notFound + 1,
    unavailable: before.unavailable + 1,
    forbidden: before.forbidden + 1,
    timed: before.timed + 5,
    gaveUp: before.gaveUp + 1,
  });
}, 30_000);
