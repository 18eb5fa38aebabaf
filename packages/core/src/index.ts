/**
 * Flyte agents in TypeScript: write an agent by extending {@link AsyncAgent} or
 * {@link SyncAgent}, export it with {@link definePlugin}, and serve it with `flyte-agent serve`
 * (or {@link AgentServer} from code).
 *
 * @packageDocumentation
 */

// Writing agents
export { AsyncAgent, SyncAgent, formatCategory, type Agent } from "./agent";
export {
  declaredCustomKeys,
  describeUnknownCustomKeys,
  unknownCustomKeys,
  type DeclaresCustomKeys,
  type UnknownCustomKey,
} from "./custom-keys";
export { closestName } from "./closest-name";
export { definePlugin, isAgentPlugin, PLUGIN_TAG, type AgentPlugin, type PluginDefinition } from "./plugin";
export {
  Phase,
  type TaskCategory,
  type Resource,
  type LogLink,
  type JsonValue,
  type AgentLogger,
  type CallContext,
  type CreateContext,
  type ExecuteContext,
  type TaskContext,
  type MetricsContext,
  type LogsContext,
  type LogLine,
  type LogsChunk,
} from "./types";
export { AgentError, TaskInputError, InvalidMetaError, AgentNotFoundError, ConfigurationError, isAgentError } from "./errors";
export { jsonMetaCodec, expectMetaFields, MAX_RESOURCE_META_BYTES, type MetaCodec, type MetaFieldType } from "./meta";

// Helpers
export {
  toLiteral,
  toLiteralMap,
  fromLiteral,
  fromLiteralMap,
  describeLiteralType,
  structLiteral,
  toOutputLiteralMap,
  DurationValue,
  StructuredDatasetRef,
  BlobRef,
  type PlainValue,
} from "./literals";
export {
  MSGPACK_TAG,
  MSGPACK_ANNOTATION,
  MAX_MSGPACK_DEPTH,
  isMsgpackStruct,
  msgpackStructType,
  msgpackLiteral,
  encodeMsgpack,
  decodeMsgpack,
  type MsgpackValue,
} from "./msgpack-literal";
export {
  renderPlaceholders,
  DEFAULT_PLACEHOLDER_NODES,
  DEFAULT_PLACEHOLDER_STRING_LENGTH,
  SAGEMAKER_NAME_LIMIT,
  type RenderPlaceholdersOptions,
} from "./placeholders";
export {
  placeholderInputs,
  DEFAULT_PLACEHOLDER_DEPTH,
  DEFAULT_PLACEHOLDER_INPUT_VALUES,
  type PlaceholderInputLimits,
} from "./placeholder-inputs";
export {
  pythonStr,
  pythonRepr,
  pythonJsonDumps,
  pythonFloatRepr,
  pythonStringRepr,
  DEFAULT_PYTHON_TEXT_DEPTH,
  type PythonValue,
  type PythonStrOptions,
} from "./python-text";
export { integralFloatsToIntegers, MAX_CUSTOM_DEPTH } from "./custom-numbers";
export { isTerminalPhase, isSuccessPhase, phaseFromState, phaseName, phaseOfWireResource, stateForPhase } from "./phase";
export {
  getSecret,
  requireSecret,
  secretSource,
  secretLocations,
  registerSecretValue,
  redactedValueCount,
  type SecretValueLifetime,
  redactSecrets,
  redactValues,
  SecretNotFoundError,
  DEFAULT_SECRET_DIR,
  DEFAULT_SECRET_ENV_PREFIX,
  type SecretSourceOptions,
  type SecretSource,
  type SecretLocations,
  type RequireSecretOptions,
  type SecretLookupOptions,
} from "./secrets";
export type { Connection } from "./connection";

// For plugins talking to an external system
export { StatusCode } from "./status-code";
export { sleep } from "./sleep";
export {
  retry,
  retryPolicy,
  backoffDelay,
  parseRetryAfter,
  RetriesExhausted,
  DEFAULT_RETRY_POLICY,
  type RetryOptions,
  type RetryPolicy,
  type RetryVerdict,
  type RetryLoopOptions,
  type AttemptInfo,
  type RetriesExhaustedReason,
} from "./retry";
export {
  retryHttp,
  type HttpAnswer,
  type HttpAttempt,
  type RetryHttpOptions,
  type RetryHttpOutcome,
} from "./retry-http";
export {
  observeExternalCall,
  observeExternalRetry,
  observeExternalFailure,
  OPERATIONS_METRICS_PREFIX,
  type ExternalCall,
  type ExternalRetryReason,
} from "./operations-metrics";
export { observeAwsSdkClient, type AwsMiddlewareClient } from "./aws-sdk-metrics";
export {
  helmValues,
  splitImage,
  CHART_KEYS,
  HELM_CHARTS,
  type HelmChart,
  type HelmValuesOptions,
  type ChartKey,
} from "./cli/helm-values";
export { attemptIdentity, attemptLabel, idempotencyKey, type AttemptIdentity } from "./attempt-identity";

// Serving
export { AgentRegistry, type RegisterOptions, type RegisteredAgent } from "./registry";
export {
  AgentServer,
  DEFAULT_HANDSHAKE_TIMEOUT_MS,
  DEFAULT_MAX_CONCURRENT_STREAMS,
  DEFAULT_MAX_CONNECTION_AGE_GRACE_MS,
  DEFAULT_MAX_CONNECTION_AGE_MS,
  DEFAULT_MAX_HEADER_LIST_BYTES,
  DEFAULT_MAX_RECEIVE_BYTES,
  PROTOCOLS,
  parseProtocols,
  type AgentServerOptions,
  type TlsOptions,
} from "./server/agent-server";
export { UnguardedListenerError } from "./server/guarded-listener";
export {
  AgentMetrics,
  LEGACY_METRICS_PREFIX,
  legacyMetricsFromEnv,
  METRICS_LISTENER_LIMITS,
  type AgentMetricsOptions,
  type MetricsListenerLimits,
  type Operation,
  type Protocol,
} from "./metrics";
export { DURATION_SYNTAX, DurationSyntaxError, formatDuration, parseDuration } from "./duration";
export { describeErrorChain, MAX_ERROR_TEXT } from "./error-chain";
export { boundStatusDetails, CLIENT_VALUE_PREFIX_CHARS, clipClientValue, MAX_STATUS_DETAILS_BYTES } from "./bounded-text";
export * from "./runner";

// Finding plugins
export {
  discoverPlugins,
  buildRegistry,
  describeProblem,
  packageLabel,
  type PluginSelection,
  type PluginDiscovery,
  type PluginRegistryResult,
} from "./load-plugins";
export {
  findPluginPackages,
  nodeModulesChain,
  loadPluginModule,
  loadPackage,
  loadPackages,
  loadModuleByPath,
  coreIncompatibility,
  NOT_A_PLUGIN,
  type DiscoveredPackage,
  type LoadedPackage,
  type LoadedOk,
  type LoadFailure,
} from "./discovery";
export { createLogger, silentLogger, type LoggerOptions } from "./logger";
export { CORE_VERSION } from "./version";
export * as flyteidl from "@flyte-agent/flyteidl";
