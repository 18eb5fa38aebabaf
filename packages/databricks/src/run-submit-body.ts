import { TaskInputError, type flyteidl } from "@flyte-agent/core";

/** A JSON object as sent to the Jobs API. */
export type JsonObject = { [key: string]: unknown };

/** Entrypoints flytekit publishes in flyteorg/flytetools, used when the task names no python_file. */
export const DEFAULT_GIT_SOURCE: Readonly<JsonObject> = Object.freeze({
  git_url: "https://github.com/flyteorg/flytetools",
  git_provider: "gitHub",
  git_commit: "572298df1f971fb58c258398bd70a6372f811c96",
});
export const DEFAULT_CLASSIC_ENTRYPOINT = "flytekitplugins/databricks/entrypoint.py";
export const DEFAULT_SERVERLESS_ENTRYPOINT = "flytekitplugins/databricks/entrypoint_serverless.py";
/** The env var giving the default serverless credential provider. */
export const CREDENTIAL_PROVIDER_ENV = "FLYTE_DATABRICKS_SERVICE_CREDENTIAL_PROVIDER";

const isObject = (v: unknown): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Every key of `custom` the agent reads, and the other fields flytekit's Spark task writes there
 * (`mainApplicationFile`, `executorPath`, ...), which a Databricks run does not need.
 */
export const DATABRICKS_CUSTOM_KEYS = [
  "databricksConf",
  "databricksInstance",
  "databricksTokenSecret",
  "databricksServiceCredentialProvider",
  "sparkConf",
  "notebookPath",
  "notebookBaseParameters",
  "applicationType",
  "mainApplicationFile",
  "mainClass",
  "executorPath",
  "hadoopConf",
  "driverPod",
  "executorPod",
] as const;

/** `template.custom`, checked to be an object. */
export function customOf(template: flyteidl.core.TaskTemplate): JsonObject {
  const custom: unknown = template.custom;
  if (!isObject(custom)) {
    throw new TaskInputError("task template has no custom fields: set custom.databricksConf (the Jobs API runs/submit body)");
  }
  return custom;
}

/** Reads an optional string field of `custom`, refusing other types. */
export function optionalString(custom: JsonObject, field: string): string | undefined {
  const value = custom[field];
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value !== "string") throw new TaskInputError(`custom.${field} must be a string, got ${typeof value}`);
  return value;
}

function optionalStringMap(custom: JsonObject, field: string): { [key: string]: string } | undefined {
  const value = custom[field];
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw new TaskInputError(`custom.${field} must be an object of strings`);
  const out: { [key: string]: string } = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v === "object" && v !== null) throw new TaskInputError(`custom.${field}.${k} must be a string`);
    out[k] = String(v);
  }
  return out;
}

function containerOf(template: flyteidl.core.TaskTemplate): flyteidl.core.Container | undefined {
  return template.target?.$case === "container" ? template.target.value : undefined;
}

/** The container's env plus `FLYTE_FAIL_ON_ERROR=true` (so a failing task fails the run). */
function flyteEnv(container: flyteidl.core.Container | undefined): { [key: string]: string } {
  const env: { [key: string]: string } = {};
  for (const { key, value } of container?.env ?? []) env[key] = value;
  env.FLYTE_FAIL_ON_ERROR = "true";
  return env;
}

type Compute = "existing" | "new" | "serverless";

function computeOf(conf: JsonObject): Compute {
  if (conf.existing_cluster_id !== undefined && conf.existing_cluster_id !== null && conf.existing_cluster_id !== "") {
    return "existing";
  }
  if (conf.new_cluster !== undefined && conf.new_cluster !== null) {
    if (!isObject(conf.new_cluster)) throw new TaskInputError("custom.databricksConf.new_cluster must be an object");
    return "new";
  }
  const environments = conf.environments;
  if (environments !== undefined && !Array.isArray(environments)) {
    throw new TaskInputError("custom.databricksConf.environments must be a list");
  }
  if ((typeof conf.environment_key === "string" && conf.environment_key !== "") || (environments?.length ?? 0) > 0) {
    return "serverless";
  }
  throw new TaskInputError(
    "custom.databricksConf has no compute: set existing_cluster_id, new_cluster, or environments / environment_key (serverless)",
  );
}

/** Fills a new cluster: the task image, the task's spark conf (cluster values win), and the Flyte env vars. */
function prepareNewCluster(conf: JsonObject, custom: JsonObject, image: string | undefined, env: { [key: string]: string }) {
  const cluster = conf.new_cluster as JsonObject;
  if (image && !isObject(cluster.docker_image)) cluster.docker_image = { url: image };
  const sparkConf = optionalStringMap(custom, "sparkConf");
  if (sparkConf || cluster.spark_conf !== undefined) {
    cluster.spark_conf = { ...sparkConf, ...(isObject(cluster.spark_conf) ? cluster.spark_conf : {}) };
  }
  cluster.spark_env_vars = { ...(isObject(cluster.spark_env_vars) ? cluster.spark_env_vars : {}), ...env };
}

/**
 * Makes sure the serverless environment exists in `environments` (Databricks needs it inline)
 * and carries the Flyte env vars; returns its key. Removes the top-level `environment_key`.
 */
function prepareServerless(conf: JsonObject, env: { [key: string]: string }): string {
  const key = typeof conf.environment_key === "string" && conf.environment_key !== "" ? conf.environment_key : "default";
  const environments = (Array.isArray(conf.environments) ? conf.environments : []).filter(isObject);
  let entry = environments.find((e) => e.environment_key === key);
  if (!entry) {
    entry = { environment_key: key, spec: { client: "1" } };
    environments.push(entry);
  }
  const spec = isObject(entry.spec) ? entry.spec : {};
  spec.environment_vars = { ...(isObject(spec.environment_vars) ? spec.environment_vars : {}), ...env };
  entry.spec = spec;
  conf.environments = environments;
  delete conf.environment_key;
  return key;
}

/**
 * Builds the Jobs API 2.1 `runs/submit` body of a task: `custom.databricksConf` merged with the
 * task container (image, args, env plus `FLYTE_FAIL_ON_ERROR=true`), `sparkConf`, notebook
 * options, serverless environments and the `git_source` / `python_file` override. Throws
 * {@link TaskInputError} saying what is missing or malformed.
 */
export function buildRunSubmitBody(template: flyteidl.core.TaskTemplate, env: NodeJS.ProcessEnv = process.env): JsonObject {
  const custom = customOf(template);
  if (!isObject(custom.databricksConf)) {
    throw new TaskInputError("custom.databricksConf is required: the Jobs API runs/submit body (with compute settings)");
  }
  const conf = structuredClone(custom.databricksConf);
  const compute = computeOf(conf);
  const container = containerOf(template);
  const taskEnv = flyteEnv(container);
  const args = [...(container?.args ?? [])];
  const gitSource = isObject(conf.git_source) ? conf.git_source : undefined;
  const pythonFile = typeof conf.python_file === "string" && conf.python_file !== "" ? conf.python_file : undefined;
  delete conf.git_source;
  delete conf.python_file;

  let environmentKey: string | undefined;
  if (compute === "serverless") environmentKey = prepareServerless(conf, taskEnv);
  else if (compute === "new") prepareNewCluster(conf, custom, container?.image, taskEnv);

  const notebookPath = optionalString(custom, "notebookPath");
  if (notebookPath) {
    const notebookTask: JsonObject = { notebook_path: notebookPath };
    const params = optionalStringMap(custom, "notebookBaseParameters");
    if (params && Object.keys(params).length > 0) notebookTask.base_parameters = params;
    if (gitSource) {
      notebookTask.source = "GIT";
      conf.git_source = gitSource;
    }
    if (environmentKey)
      conf.tasks = [{ task_key: "flyte_notebook_task", notebook_task: notebookTask, environment_key: environmentKey }];
    else conf.notebook_task = notebookTask;
    return conf;
  }

  const pythonTask: JsonObject = {
    python_file: pythonFile ?? (environmentKey ? DEFAULT_SERVERLESS_ENTRYPOINT : DEFAULT_CLASSIC_ENTRYPOINT),
  };
  if (gitSource || !pythonFile) {
    // The entrypoint lives in a repository: the task's, or flytekit's default one.
    conf.git_source = gitSource ?? { ...DEFAULT_GIT_SOURCE };
    pythonTask.source = "GIT";
  }
  pythonTask.parameters = args;
  if (environmentKey) {
    const provider = optionalString(custom, "databricksServiceCredentialProvider") ?? env[CREDENTIAL_PROVIDER_ENV];
    if (provider) args.push(`--flyte-credential-provider=${provider}`);
    conf.tasks = [{ task_key: "flyte_task", spark_python_task: pythonTask, environment_key: environmentKey }];
  } else {
    conf.spark_python_task = pythonTask;
  }
  return conf;
}
