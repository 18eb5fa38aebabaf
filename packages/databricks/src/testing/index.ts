/**
 * Test helpers of `@flyte-agent/databricks`: a fake Databricks Jobs API 2.1 server for tests and
 * benchmarks (`require("@flyte-agent/databricks/testing")`).
 *
 * @packageDocumentation
 */
export {
  startFakeDatabricks,
  type FakeDatabricks,
  type FakeDatabricksOptions,
  type FakeDatabricksStats,
  type FakeFault,
  type FakeRoute,
  type FakeRun,
  type FakeRunState,
} from "./fake-jobs-api";
export { parseStrictJson, type StrictJson } from "./strict-json";
