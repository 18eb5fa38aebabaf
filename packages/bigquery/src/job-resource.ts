/** The parts of BigQuery's Job resource (REST) that the agent reads. */
export interface JobResource {
  jobReference?: { projectId?: string; jobId?: string; location?: string };
  status?: {
    state?: string;
    errorResult?: { reason?: string; message?: string; location?: string };
    errors?: Array<{ reason?: string; message?: string }>;
  };
  configuration?: {
    dryRun?: boolean;
    query?: { destinationTable?: { projectId?: string; datasetId?: string; tableId?: string } };
  };
  statistics?: {
    totalBytesProcessed?: string;
    query?: { totalBytesBilled?: string; cacheHit?: boolean; totalBytesProcessed?: string };
  };
}
