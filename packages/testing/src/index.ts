/**
 * Test kit for Flyte agent plugin authors: an in-process agent server, a client that behaves
 * like FlytePropeller, a one-line conformance check, contexts for calling an agent without a
 * server, and fake HTTP services on 127.0.0.1.
 *
 * @packageDocumentation
 */

// Serving what you test
export { startTestServer, type TestServer, type TestServerOptions } from "./test-server";
export { startServerProcess, type ServerProcess, type ServerProcessOptions } from "./server-process";
export { runFlyteAgentCli, flyteAgentBin, type CliResult, type CliRunOptions } from "./cli-run";

// Talking like propeller
export {
  PropellerClient,
  testExecutionMetadata,
  type PropellerClientOptions,
  type PropellerTimeouts,
  type CreateTaskInput,
  type RpcError,
} from "./propeller-client";
export {
  pollTask,
  findListedAgent,
  TaskRunError,
  type RunTaskRequest,
  type RunTaskResult,
  type PollTaskOptions,
  type TimelineEntry,
} from "./run-task";
export { effectivePhase } from "./resource-phase";
export { taskTemplate, simpleType, type TaskTemplateOptions, type SimpleTypeName, type CustomValue } from "./task-template";

// Calling an agent without a server
export {
  agentTestContext,
  type AgentTestContext,
  type AgentTestContextOptions,
  type LogsRequest,
  type MetricsRequest,
} from "./agent-context";
export { CollectingLogger, type LogEntry, type LogLevel } from "./collecting-logger";
export { testSecretSource, TEST_SECRET_ENV_PREFIX } from "./test-secrets";

// Checking the propeller rules
export {
  checkConformance,
  type ConformanceCase,
  type ConformanceOptions,
  type ConformanceTarget,
  type ConformanceServer,
  DEFAULT_CONFORMANCE_PROTOCOLS,
  type SecondServer,
} from "./conformance";

// Fake external services
export {
  startFakeHttpService,
  type FakeHttpService,
  type FakeHttpHandler,
  type FakeRequest,
  type FakeResponse,
} from "./fake-http-service";
export { closeAll } from "./auto-close";
/** gRPC status codes, to compare with `RpcError.code` without depending on grpc-js. */
export { status as GrpcStatus } from "@grpc/grpc-js";
