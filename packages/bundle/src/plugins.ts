/** One plugin this bundle knows how to install: the typed table the image build reads. */
export interface BundledPlugin {
  /** npm package name. */
  readonly packageName: string;
  /** Short name accepted in the PLUGINS build argument (e.g. `bigquery`). */
  readonly alias: string;
  /** What the plugin drives. */
  readonly description: string;
  /** Task types (category names, version 0) its agents serve. */
  readonly taskTypes: readonly string[];
  /** Configuration the running service needs for it (secrets, environment). */
  readonly needs: readonly string[];
}

/**
 * The workspace plugins the bundle can serve. Any subset may be installed next to the bundle
 * (they are optional peer dependencies); `flyte-agent serve` discovers whichever are present.
 */
export const BUNDLED_PLUGINS: readonly BundledPlugin[] = [
  {
    packageName: "@flyte-agent/bigquery",
    alias: "bigquery",
    description: "BigQuery query jobs",
    taskTypes: ["bigquery_query_job_task"],
    needs: ["Google Application Default Credentials (GOOGLE_APPLICATION_CREDENTIALS or workload identity)"],
  },
  {
    packageName: "@flyte-agent/databricks",
    alias: "databricks",
    description: "Databricks Jobs API 2.1 runs",
    taskTypes: ["spark", "databricks"],
    needs: ["secret FLYTE_DATABRICKS_ACCESS_TOKEN (/etc/secrets or _FSEC_ env)", "FLYTE_DATABRICKS_INSTANCE (optional)"],
  },
  {
    packageName: "@flyte-agent/openai",
    alias: "openai",
    description: "OpenAI Batch API and chat completions (flytekit's openai-batch and chatgpt)",
    taskTypes: ["openai-batch", "chatgpt"],
    needs: [
      "secret FLYTE_OPENAI_API_KEY (/etc/secrets or _FSEC_ env)",
      "OPENAI_BASE_URL (optional)",
      "FLYTE_OPENAI_CHATGPT_TIMEOUT (optional)",
    ],
  },
  {
    packageName: "@flyte-agent/sagemaker",
    alias: "sagemaker",
    description: "AWS SageMaker deployments (flytekit's sagemaker-endpoint and boto connectors)",
    taskTypes: ["sagemaker-endpoint", "boto"],
    needs: [
      "AWS credentials from the SDK's default chain (IRSA role, environment, instance profile)",
      "AWS_REGION (optional: tasks usually name their region)",
    ],
  },
  {
    packageName: "@flyte-agent/sensor",
    alias: "sensor",
    description: "flytekit sensors: FileSensor on s3://, gs:// and (opt-in) local paths",
    taskTypes: ["sensor"],
    needs: [
      "AWS SDK default credentials (s3://), Google Application Default Credentials (gs://)",
      "FLYTE_SENSOR_LOCAL_ROOT (optional; local paths are off without it)",
    ],
  },
  {
    packageName: "@flyte-agent/snowflake",
    alias: "snowflake",
    description: "Snowflake SQL API v2 queries (key-pair authentication)",
    taskTypes: ["snowflake"],
    needs: [
      "secret snowflake_private_key (PEM; /etc/secrets or _FSEC_ env)",
      "secret snowflake_private_key_passphrase (only for an encrypted key)",
      "FLYTE_SNOWFLAKE_ENDPOINT (optional)",
    ],
  },
  {
    packageName: "@flyte-agent/template",
    alias: "template",
    description: "The custom-agent template (no external service)",
    taskTypes: ["custom_task", "custom_sync_task"],
    needs: [],
  },
  {
    packageName: "@flyte-agent/webhook",
    alias: "webhook",
    description: "flytekit's webhook task: one HTTP GET or POST, with destination and secret rules",
    taskTypes: ["webhook"],
    needs: [
      "FLYTE_WEBHOOK_ALLOWED_HOSTS (optional allow-list; loopback only when listed)",
      "FLYTE_WEBHOOK_SECRETS (optional; secrets a header may name)",
    ],
  },
];

/** The bundled plugin with this package name or alias, if any. */
export function findBundledPlugin(nameOrAlias: string): BundledPlugin | undefined {
  return BUNDLED_PLUGINS.find((p) => p.packageName === nameOrAlias || p.alias === nameOrAlias);
}
