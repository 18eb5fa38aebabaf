/**
 * The Cloud Storage check through the real @google-cloud/storage client against the fake, with
 * Application Default Credentials from the (fake) GCE metadata server, as on GKE.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GcsExists } from "../src/gcs-exists";
import { type FakeGcs, startFakeGcs } from "../src/testing";

let fake: FakeGcs;
const saved = { ...process.env };
const ctx = () => ({ signal: new AbortController().signal, deadline: new Date(Date.now() + 10_000) });

beforeAll(async () => {
  fake = await startFakeGcs({
    buckets: { landing: { objects: ["reports/2026-12-07.csv", "exports/part-0000.parquet"] }, sealed: { denied: true } },
  });
  // Application Default Credentials: no key file, no gcloud configuration; the metadata server is the fake.
  delete process.env.GOOGLE_APPLICATION_CREDENTIALS;
  delete process.env.STORAGE_EMULATOR_HOST;
  process.env.CLOUDSDK_CONFIG = mkdtempSync(join(tmpdir(), "no-gcloud-"));
  process.env.HOME = process.env.CLOUDSDK_CONFIG;
  process.env.GCE_METADATA_HOST = fake.metadataHost;
});
afterAll(async () => {
  process.env = saved;
  await fake.close();
});

/** One client for the file: Application Default Credentials are discovered once per client, as in the agent. */
let shared: GcsExists | undefined;
const gcs = () => {
  shared ??= new GcsExists({ endpoint: fake.url });
  return shared;
};

test("an object exists; a missing one does not; the token came from the metadata server", async () => {
  const check = gcs();
  await expect(check.check("landing", "reports/2026-12-07.csv", ctx())).resolves.toEqual({ exists: true });
  await expect(check.check("landing", "reports/2026-12-08.csv", ctx())).resolves.toEqual({ exists: false });
  expect(fake.stats.tokens).toBeGreaterThanOrEqual(1);
  expect(fake.stats.unauthorized).toBe(0);
});

test("a prefix with objects under it exists (gcsfs's exists); a bucket alone exists when it does", async () => {
  const check = gcs();
  await expect(check.check("landing", "exports", ctx())).resolves.toEqual({ exists: true });
  await expect(check.check("landing", "exports/", ctx())).resolves.toEqual({ exists: true });
  await expect(check.check("landing", "", ctx())).resolves.toEqual({ exists: true });
  await expect(check.check("missing-bucket", "", ctx())).resolves.toEqual({
    exists: false,
    message: "the bucket missing-bucket does not exist",
  });
});

test("403 is 'not yet' with a message naming the path and the permissions", async () => {
  const result = await gcs().check("sealed", "x.csv", ctx());
  expect(result.exists).toBe(false);
  expect(result.message).toContain("gs://sealed/x.csv");
  expect(result.message).toContain("storage.objects.get");
});

test("a token the API refuses (401) is a credentials error (FAILED_PRECONDITION), not a missing file", async () => {
  // Another API that accepts only its own token; the metadata server still hands out the first fake's.
  const other = await startFakeGcs({ buckets: { landing: { objects: ["a.csv"] } } });
  try {
    await expect(new GcsExists({ endpoint: other.url }).check("landing", "a.csv", ctx())).rejects.toMatchObject({
      code: 9,
      message: expect.stringContaining("Cloud Storage refused the agent's credentials"),
    });
    expect(other.stats.unauthorized).toBeGreaterThanOrEqual(1);
  } finally {
    await other.close();
  }
});

test("a 503 from the API is retried by the client inside the check", async () => {
  const before = fake.stats.faults;
  fake.failNext(503, 1);
  await expect(gcs().check("landing", "reports/2026-12-07.csv", ctx())).resolves.toEqual({ exists: true });
  expect(fake.stats.faults - before).toBe(1);
});
