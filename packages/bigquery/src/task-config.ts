import { type flyteidl, TaskInputError } from "@flyte-agent/core";

/** A JSON object, as `template.custom` (a protobuf Struct) decodes. */
export type JsonObject = { [key: string]: unknown };

/** What a `bigquery_query_job_task` template asks for, checked. */
export interface TaskConfig {
  /** The SQL (`template.sql.statement`). */
  sql: string;
  /** `custom.ProjectID`: the project the job runs (and is billed) in. */
  project: string;
  /** `custom.Location`: the job's location; BigQuery picks one when absent. */
  location?: string;
  /** `custom.Domain`: the Flyte domain, reported in the user agent. */
  domain?: string;
  /** `custom.ParameterTypes`: a BigQuery type per input name, overriding the default mapping. */
  parameterTypes: Record<string, string>;
  /** Fields of the job's `configuration` (labels, dryRun, jobTimeoutMs, reservation). */
  jobFields: JsonObject;
  /** Fields of `configuration.query` (destinationTable, writeDisposition, priority, ...). */
  queryFields: JsonObject;
}

/** Keys of `custom` that are not BigQuery configuration. */
const FLYTE_KEYS = new Set(["ProjectID", "Location", "Domain", "ParameterTypes"]);
/** Keys that belong to `JobConfiguration` rather than to its `query` section. */
const JOB_KEYS = new Set(["labels", "dryRun", "jobTimeoutMs", "reservation", "maxSlots"]);
/** Keys the agent sets itself. */
const OWN_QUERY_KEYS = new Set(["query", "queryParameters", "parameterMode"]);

/**
 * Every key of `custom` the agent accepts: the Flyte fields, the job-level keys and the fields
 * of BigQuery's `JobConfigurationQuery` (REST form) that a task may set.
 */
export const BIGQUERY_CUSTOM_KEYS = [
  ...FLYTE_KEYS,
  ...JOB_KEYS,
  "allowLargeResults",
  "clustering",
  "connectionProperties",
  "continuous",
  "createDisposition",
  "createSession",
  "defaultDataset",
  "destinationEncryptionConfiguration",
  "destinationTable",
  "flattenResults",
  "maximumBillingTier",
  "maximumBytesBilled",
  "preserveNulls",
  "priority",
  "rangePartitioning",
  "schemaUpdateOptions",
  "scriptOptions",
  "systemVariables",
  "tableDefinitions",
  "timePartitioning",
  "useLegacySql",
  "useQueryCache",
  "userDefinedFunctionResources",
  "writeDisposition",
  "writeIncrementalResults",
] as const;

const PROJECT_ID = /^[a-z][a-z0-9.:-]{0,127}$/i;

function fail(message: string): never {
  throw new TaskInputError(`bigquery_query_job_task template: ${message}`);
}

function optionalString(custom: JsonObject, key: string): string | undefined {
  const value = custom[key];
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value !== "string") fail(`custom.${key} must be a string, got ${typeof value}`);
  return value;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** An int64 carried as a JSON number or decimal text, as BigQuery's REST API wants it: text. */
function int64Text(key: string, value: unknown): string {
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return String(value);
  if (typeof value === "string" && /^\d+$/.test(value.trim())) return value.trim();
  return fail(`${key} must be a non-negative integer, got ${JSON.stringify(value)}`);
}

function checkQueryFields(fields: JsonObject, project: string): JsonObject {
  const out: JsonObject = { ...fields };
  if (out.destinationTable !== undefined) {
    const t = out.destinationTable;
    if (!isObject(t) || typeof t.datasetId !== "string" || typeof t.tableId !== "string" || !t.datasetId || !t.tableId) {
      fail("destinationTable must be an object with datasetId and tableId");
    }
    if (t.projectId !== undefined && typeof t.projectId !== "string") fail("destinationTable.projectId must be a string");
    out.destinationTable = { projectId: t.projectId || project, datasetId: t.datasetId, tableId: t.tableId };
  }
  if (out.maximumBytesBilled !== undefined) out.maximumBytesBilled = int64Text("maximumBytesBilled", out.maximumBytesBilled);
  if (out.priority !== undefined) {
    const p = typeof out.priority === "string" ? out.priority.toUpperCase() : "";
    if (p !== "INTERACTIVE" && p !== "BATCH") fail(`priority must be INTERACTIVE or BATCH, got ${JSON.stringify(out.priority)}`);
    out.priority = p;
  }
  for (const key of ["useLegacySql", "useQueryCache", "allowLargeResults", "flattenResults"]) {
    if (out[key] !== undefined && typeof out[key] !== "boolean") fail(`${key} must be a boolean`);
  }
  return out;
}

function checkJobFields(fields: JsonObject): JsonObject {
  const out: JsonObject = { ...fields };
  if (out.labels !== undefined) {
    if (!isObject(out.labels) || !Object.values(out.labels).every((v) => typeof v === "string")) {
      fail("labels must be an object of strings");
    }
  }
  if (out.dryRun !== undefined && typeof out.dryRun !== "boolean") fail("dryRun must be a boolean");
  if (out.jobTimeoutMs !== undefined) out.jobTimeoutMs = int64Text("jobTimeoutMs", out.jobTimeoutMs);
  return out;
}

/**
 * Reads and checks a task template: SQL from `sql.statement`; from `custom` the Flyte fields
 * (`ProjectID`, `Location`, `Domain`, `ParameterTypes`) and every other key as a field of
 * BigQuery's query job configuration (the `query` section of its REST form, plus the job-level
 * `labels`, `dryRun`, `jobTimeoutMs`, `reservation`, `maxSlots`). Unknown keys are passed
 * through, so that BigQuery judges them instead of the agent dropping them.
 */
export function readTaskConfig(template: flyteidl.core.TaskTemplate): TaskConfig {
  const sql = template.target?.$case === "sql" ? template.target.value.statement : "";
  if (!sql.trim()) fail("sql.statement is empty; the task must carry its query");
  const custom: JsonObject = isObject(template.custom) ? template.custom : {};
  const project = optionalString(custom, "ProjectID");
  if (!project) fail("custom.ProjectID is required (the GCP project that runs the query)");
  if (!PROJECT_ID.test(project)) fail(`custom.ProjectID ${JSON.stringify(project)} is not a valid project id`);

  const parameterTypes: Record<string, string> = {};
  const declared = custom.ParameterTypes;
  if (declared !== undefined && declared !== null) {
    if (!isObject(declared)) fail("custom.ParameterTypes must be an object of input name to BigQuery type");
    for (const [name, type] of Object.entries(declared)) {
      if (typeof type !== "string") fail(`custom.ParameterTypes.${name} must be a string`);
      parameterTypes[name] = type;
    }
  }

  const jobFields: JsonObject = {};
  const queryFields: JsonObject = {};
  for (const [key, value] of Object.entries(custom)) {
    if (FLYTE_KEYS.has(key) || value === null || value === undefined) continue;
    if (OWN_QUERY_KEYS.has(key)) {
      fail(`custom.${key} is not allowed: the query comes from sql.statement and every input becomes a named parameter`);
    }
    if (JOB_KEYS.has(key)) jobFields[key] = value;
    else queryFields[key] = value;
  }
  return {
    sql,
    project,
    location: optionalString(custom, "Location"),
    domain: optionalString(custom, "Domain"),
    parameterTypes,
    jobFields: checkJobFields(jobFields),
    queryFields: checkQueryFields(queryFields, project),
  };
}
