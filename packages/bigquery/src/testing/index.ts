/**
 * Test helpers of `@flyte-agent/bigquery`: a fake of BigQuery's REST API v2 (jobs.insert,
 * jobs.get, jobs.cancel) on 127.0.0.1, for tests and benchmarks of the plugin, driven by
 * Google's real client (`require("@flyte-agent/bigquery/testing")`).
 *
 * @packageDocumentation
 */
export {
  FakeBigQuery,
  type FakeBigQueryAuth,
  type FakeBigQueryRequest,
  type Failure,
  type JobScript,
  type Route,
} from "./fake-bigquery";
