/**
 * The propeller rules over v1 and v2 for FileSensor tasks on S3 (through the AWS SDK against the
 * fake) and on Cloud Storage (through the Google client, with a token from the fake metadata
 * server). Another replica, the built plugin in its own process, answers GetTask from
 * resource_meta alone.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkConformance, startServerProcess } from "@flyte-agent/testing";
import { SensorAgent } from "../src";
import {
  FAKE_S3_CREDENTIALS,
  type FakeGcs,
  type FakeS3,
  sensorTemplate,
  startFakeGcs,
  startFakeS3,
  stringInput,
} from "../src/testing";

let s3: FakeS3;
let gcs: FakeGcs;
const saved = { ...process.env };
const gcloudHome = mkdtempSync(join(tmpdir(), "no-gcloud-"));

function env(): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_S3: s3.url,
    AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
    AWS_REGION: "us-east-1",
    FLYTE_SENSOR_GCS_ENDPOINT: gcs.url,
    GCE_METADATA_HOST: gcs.metadataHost,
    CLOUDSDK_CONFIG: gcloudHome,
    HOME: gcloudHome,
  };
}

beforeAll(async () => {
  s3 = await startFakeS3({ buckets: { landing: { objects: ["ready/part-0.csv"] } } });
  gcs = await startFakeGcs({ buckets: { exports: { objects: ["daily/2026-12-07.parquet"] } } });
  delete process.env.GOOGLE_APPLICATION_CREDENTIALS;
  delete process.env.AWS_PROFILE;
  Object.assign(process.env, env());
});
afterAll(async () => {
  process.env = saved;
  await Promise.all([s3.close(), gcs.close()]);
});

const path = (value: string) => () => ({ literals: { path: stringInput(value) } });
const unknownMeta = () =>
  Buffer.from(
    JSON.stringify({
      sensor_module: "flytekit.sensor.file_sensor",
      sensor_name: "FileSensor",
      sensor_config: null,
      inputs: { path: "s3://landing/never" },
    }),
  );

checkConformance(
  () => [new SensorAgent({ env: process.env })],
  [
    {
      name: "FileSensor on an S3 prefix that exists",
      template: () => sensorTemplate(),
      inputs: path("s3://landing/ready"),
      expectPhase: "SUCCEEDED",
      unknownResourceMeta: unknownMeta,
    },
    {
      name: "FileSensor on a GCS object that exists",
      template: () => sensorTemplate(),
      inputs: path("gs://exports/daily/2026-12-07.parquet"),
      expectPhase: "SUCCEEDED",
      unknownResourceMeta: unknownMeta,
    },
  ],
  {
    pollIntervalMs: 1,
    protocols: ["v1", "v2"],
    secrets: [FAKE_S3_CREDENTIALS.secretAccessKey],
    secondServer: () => startServerProcess({ modules: [join(__dirname, "..", "dist", "index.js")], env: env() }),
  },
);
