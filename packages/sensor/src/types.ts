/** Options of {@link SensorAgent}. Options with an environment default read it once, in the constructor. */
export interface SensorAgentOptions {
  /**
   * The directory local paths (`/data/x`, `file:///data/x`) must lie under, after symlinks and
   * `..` are resolved. Unset: local paths are refused, so that workflow authors cannot probe the
   * agent's own filesystem.
   * @default process.env.FLYTE_SENSOR_LOCAL_ROOT, else local paths are off
   */
  localRoot?: string;
  /**
   * Region of the S3 client; buckets in other regions are still found (the client follows S3's
   * region redirects). The endpoint comes from `AWS_ENDPOINT_URL_S3` / `AWS_ENDPOINT_URL`, and
   * credentials from the AWS SDK's default chain.
   * @default process.env.AWS_REGION, else process.env.AWS_DEFAULT_REGION, else "us-east-1"
   */
  s3Region?: string;
  /** Address S3 buckets as `endpoint/bucket` instead of `bucket.endpoint` (MinIO and other S3-compatible stores). @default process.env.FLYTE_SENSOR_S3_FORCE_PATH_STYLE === "true" */
  s3ForcePathStyle?: boolean;
  /**
   * Base URL of the Cloud Storage JSON API (a Private Service Connect endpoint, tests), called
   * with the agent's Google credentials. `STORAGE_EMULATOR_HOST` also works, as the Google
   * client reads it (without credentials).
   * @default process.env.FLYTE_SENSOR_GCS_ENDPOINT, else Google's endpoint
   */
  gcsEndpoint?: string;
  /** Longest one check (all the requests of one GetTask) may take, in ms; the call's deadline also bounds it. @default 20000 */
  checkTimeoutMs?: number;
  /** Environment the `FLYTE_SENSOR_*` and region variables are read from. @default process.env */
  env?: NodeJS.ProcessEnv;
}

/**
 * The `custom` of a sensor task, as flytekit's `BaseSensor` writes it (`asdict(SensorMetadata)`).
 * The sensor's `poke` arguments arrive as the task's inputs.
 */
export interface SensorTaskCustom {
  /** The Python module of the sensor class, e.g. `flytekit.sensor.file_sensor`. */
  sensor_module: string;
  /** The sensor class, e.g. `FileSensor`. */
  sensor_name: string;
  /** The sensor's configuration (flytekit drops it before `poke`; kept in resource_meta). @default null */
  sensor_config?: { [key: string]: unknown } | null;
  /** Always null from flytekit; the inputs come from the task's input literals. @default null */
  inputs?: { [key: string]: unknown } | null;
}

/** resource_meta: flytekit's `SensorMetadata` as JSON, with the `poke` inputs filled in. */
export interface SensorMeta {
  sensor_module: string;
  sensor_name: string;
  sensor_config: { [key: string]: unknown } | null;
  inputs: { [key: string]: unknown } | null;
}
