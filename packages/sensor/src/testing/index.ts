/**
 * What users of `@flyte-agent/sensor` test with: fakes of S3 and of the Cloud Storage JSON API
 * on 127.0.0.1, driven by the real AWS and Google clients.
 *
 * @packageDocumentation
 */
export {
  startFakeS3,
  FAKE_S3_CREDENTIALS,
  type FakeS3,
  type FakeS3Options,
  type FakeBucket,
  type FakeS3Stats,
} from "./fake-s3";
export { verifySigV4, EMPTY_SHA256, type SigV4Credentials, type SigV4Refusal } from "./sigv4";
export {
  startFakeGcs,
  type FakeGcs,
  type FakeGcsOptions,
  type FakeGcsBucket,
  type FakeGcsStats,
} from "./fake-gcs";
export { sensorTemplate, stringInput } from "./sensor-template";
