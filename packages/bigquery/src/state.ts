import { type JsonValue, Phase, type Resource, StructuredDatasetRef, toLiteralMap } from "@flyte-agent/core";
import type { JobResource } from "./job-resource";
import type { BigQueryJobMeta } from "./types";

/** The "BigQuery Console" link to a job's results. */
export function consoleLink(meta: BigQueryJobMeta, consoleUrl: string): { name: string; uri: string } {
  const params = new URLSearchParams({ project: meta.project, j: `bq:${meta.location}:${meta.jobId}`, page: "queryresults" });
  return { name: "BigQuery Console", uri: `${consoleUrl}?${params.toString().replace(/%3A/g, ":")}` };
}

/** BigQuery's explanation of a failed job: the error result's message, with its reason. */
function failureMessage(job: JobResource): string | undefined {
  const e = job.status?.errorResult;
  if (!e) return undefined;
  const message = e.message || "the job failed without a message";
  return e.reason ? `${message} (reason: ${e.reason})` : message;
}

function statistics(job: JobResource): { [key: string]: JsonValue } {
  const info: { [key: string]: JsonValue } = {};
  const processed = job.statistics?.query?.totalBytesProcessed ?? job.statistics?.totalBytesProcessed;
  if (processed !== undefined) info.totalBytesProcessed = processed;
  if (job.statistics?.query?.totalBytesBilled !== undefined) info.totalBytesBilled = job.statistics.query.totalBytesBilled;
  if (job.statistics?.query?.cacheHit !== undefined) info.cacheHit = job.statistics.query.cacheHit;
  return info;
}

/**
 * Maps a job to a Resource: PENDING -> INITIALIZING, RUNNING -> RUNNING, DONE -> SUCCEEDED
 * (with the destination table as a `bq://project:dataset.table` structured dataset when the
 * task declares an output), or FAILED with BigQuery's message when the job has an error result.
 */
export function jobToResource(job: JobResource, meta: BigQueryJobMeta, consoleUrl: string): Resource {
  const logLinks = [consoleLink(meta, consoleUrl)];
  const state = job.status?.state ?? "";
  const base = { logLinks, customInfo: { jobId: meta.jobId, location: meta.location } as { [key: string]: JsonValue } };
  switch (state) {
    case "PENDING":
      return { ...base, phase: Phase.INITIALIZING, message: "BigQuery job is pending" };
    case "RUNNING":
      return { ...base, phase: Phase.RUNNING, message: "BigQuery job is running" };
    case "DONE": {
      const failure = failureMessage(job);
      if (failure) return { ...base, phase: Phase.FAILED, message: failure };
      const customInfo = { ...base.customInfo, ...statistics(job) };
      if (!meta.output) return { ...base, customInfo, phase: Phase.SUCCEEDED };
      const table = job.configuration?.query?.destinationTable;
      if (!table?.datasetId || !table.tableId) {
        return { ...base, phase: Phase.FAILED, message: "the task declares an output, but the job reports no destination table" };
      }
      const uri = `bq://${table.projectId || meta.project}:${table.datasetId}.${table.tableId}`;
      customInfo.destinationTable = uri;
      return {
        ...base,
        customInfo,
        phase: Phase.SUCCEEDED,
        outputs: toLiteralMap({ [meta.output]: new StructuredDatasetRef(uri) }),
      };
    }
    default:
      return { ...base, phase: Phase.RUNNING, message: `BigQuery reports the unknown job state ${JSON.stringify(state)}` };
  }
}
