/**
 * Test helpers of `@flyte-agent/snowflake`: a fake Snowflake SQL API v2 server that verifies
 * key-pair JWTs (`require("@flyte-agent/snowflake/testing")`), and a key-pair generator.
 *
 * @packageDocumentation
 */
export {
  startFakeSnowflake,
  type FakeSnowflake,
  type FakeSnowflakeOptions,
  type FakeSnowflakeStats,
  type FakeFault,
  type FakeRoute,
  type FakeStatement,
  type FakeStatementStep,
} from "./fake-sql-api";
export { verifyKeyPairJwt, fingerprintOf, type ExpectedIdentity, type JwtCheck } from "./jwt-verifier";
export { generateTestKeyPair, type TestKeyPair } from "./test-key-pair";
