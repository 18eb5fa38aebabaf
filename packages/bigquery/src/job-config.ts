import { TaskInputError } from "@flyte-agent/core";
import type { QueryParameter } from "./parameters";
import type { JsonObject, TaskConfig } from "./task-config";

/** The body of a `jobs.insert` call as Google's client takes it (`jobReference` is added by the client). */
export interface JobInsertRequest {
  jobId: string;
  location?: string;
  configuration: JsonObject & { query: JsonObject; dryRun?: boolean };
}

/**
 * Builds the query job: the template's SQL in standard SQL with named parameters, and every
 * configuration field the template carries (job-level ones beside `query`).
 */
export function buildJobRequest(config: TaskConfig, parameters: QueryParameter[], jobId: string): JobInsertRequest {
  const query: JsonObject = { useLegacySql: false, ...config.queryFields, query: config.sql };
  if (parameters.length > 0) {
    if (query.useLegacySql === true) {
      throw new TaskInputError(
        "bigquery_query_job_task template: useLegacySql cannot be true for a task with inputs (named parameters need standard SQL)",
      );
    }
    query.parameterMode = "NAMED";
    query.queryParameters = parameters;
  }
  const request: JobInsertRequest = { jobId, configuration: { ...config.jobFields, query } };
  if (config.location) request.location = config.location;
  return request;
}
