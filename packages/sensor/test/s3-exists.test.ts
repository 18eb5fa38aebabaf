/**
 * The S3 check through the real AWS SDK v3 against the fake (SigV4 checked by the fake's own
 * code), with the endpoint and keys from the environment as the SDK's default chain reads them.
 */
import { S3Exists } from "../src/s3-exists";
import { type FakeS3, startFakeS3 } from "../src/testing";

let fake: FakeS3;
const saved = { ...process.env };
const ctx = () => ({ signal: new AbortController().signal, deadline: new Date(Date.now() + 10_000) });

beforeAll(async () => {
  fake = await startFakeS3({
    buckets: {
      landing: { objects: ["reports/2026-12-07.csv", "exports/part-0000.parquet"] },
      locked: { objects: ["present.csv"], listAllowed: false },
      frankfurt: { region: "eu-central-1", objects: ["data.json"] },
    },
  });
  process.env.AWS_ENDPOINT_URL_S3 = fake.url;
  process.env.AWS_ACCESS_KEY_ID = fake.credentials.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = fake.credentials.secretAccessKey;
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_SESSION_TOKEN;
});
afterAll(async () => {
  process.env = saved;
  await fake.close();
});

const s3 = () => new S3Exists({ region: "us-east-1", forcePathStyle: true });

test("an object exists; a missing key does not", async () => {
  const check = s3();
  await expect(check.check("landing", "reports/2026-12-07.csv", ctx())).resolves.toEqual({ exists: true });
  await expect(check.check("landing", "reports/2026-12-08.csv", ctx())).resolves.toEqual({ exists: false });
  check.close();
});

test("a prefix with objects under it exists, with or without the trailing slash (fsspec's exists)", async () => {
  const check = s3();
  await expect(check.check("landing", "exports", ctx())).resolves.toEqual({ exists: true });
  await expect(check.check("landing", "exports/", ctx())).resolves.toEqual({ exists: true });
  await expect(check.check("landing", "expo", ctx())).resolves.toEqual({ exists: false });
  check.close();
});

test("a bucket alone exists when it does; a missing bucket is not there yet, with a message", async () => {
  const check = s3();
  await expect(check.check("landing", "", ctx())).resolves.toEqual({ exists: true });
  await expect(check.check("no-such-bucket", "a/b", ctx())).resolves.toEqual({
    exists: false,
    message: "the bucket no-such-bucket does not exist",
  });
  check.close();
});

test("403 without s3:ListBucket is RUNNING material: not there yet, naming the path and the permission", async () => {
  const check = s3();
  const result = await check.check("locked", "missing.csv", ctx());
  expect(result.exists).toBe(false);
  expect(result.message).toContain("s3://locked/missing.csv");
  expect(result.message).toContain("s3:ListBucket");
  check.close();
});

test("a bucket in another region is found: the client follows S3's region answer and signs for eu-central-1", async () => {
  const check = s3();
  const before = fake.stats.refusedSignatures;
  await expect(check.check("frankfurt", "data.json", ctx())).resolves.toEqual({ exists: true });
  expect(fake.stats.refusedSignatures).toBeGreaterThan(before);
  check.close();
});

test("S3's 503 SlowDown is retried by the SDK inside the check", async () => {
  const check = s3();
  const before = fake.stats.faults;
  fake.failNext(503, 1);
  await expect(check.check("landing", "reports/2026-12-07.csv", ctx())).resolves.toEqual({ exists: true });
  expect(fake.stats.faults - before).toBe(1);
  check.close();
});

test("a wrong secret key fails the signature check: a credentials error (FAILED_PRECONDITION), not a missing file", async () => {
  process.env.AWS_SECRET_ACCESS_KEY = "not-the-right-secret-key-0000000000000000";
  const check = s3();
  try {
    const before = fake.stats.refusedSignatures;
    await expect(check.check("landing", "reports/2026-12-07.csv", ctx())).rejects.toMatchObject({
      code: 9,
      message: expect.stringContaining("SignatureDoesNotMatch"),
    });
    expect(fake.stats.refusedSignatures).toBeGreaterThan(before);
  } finally {
    process.env.AWS_SECRET_ACCESS_KEY = fake.credentials.secretAccessKey;
    check.close();
  }
});

test("a dropped connection is retried by the SDK inside the check", async () => {
  const check = s3();
  const before = fake.stats.faults;
  fake.failNext("drop", 1);
  await expect(check.check("landing", "reports/2026-12-07.csv", ctx())).resolves.toEqual({ exists: true });
  expect(fake.stats.faults - before).toBe(1);
  check.close();
});

test("a check that outlasts its deadline is 'not yet' with a message, not an error", async () => {
  const check = s3();
  fake.delayAnswers(2_000);
  try {
    const result = await check.check("landing", "reports/2026-12-07.csv", {
      signal: new AbortController().signal,
      deadline: new Date(Date.now() + 30),
    });
    expect(result.exists).toBe(false);
    expect(result.message).toMatch(/cannot tell yet whether s3:\/\/landing\/reports\/2026-12-07.csv exists/);
  } finally {
    fake.delayAnswers(0);
    check.close();
  }
});
