import { status } from "@grpc/grpc-js";

/** Brand on every AgentError (checked instead of instanceof: two copies of core may be loaded). */
export const AGENT_ERROR_BRAND: unique symbol = Symbol.for("flyte-agent.error") as never;

/**
 * An error with a gRPC status that the server sends as is. Throw a subclass from an agent to
 * choose the status; anything else becomes INTERNAL with a short message.
 */
export class AgentError extends Error {
  readonly [AGENT_ERROR_BRAND] = true;
  constructor(
    /** gRPC status code sent to the client. */
    readonly code: status,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The request (template, inputs, custom fields) is wrong: INVALID_ARGUMENT. */
export class TaskInputError extends AgentError {
  constructor(message: string) {
    super(status.INVALID_ARGUMENT, message);
  }
}

/** resource_meta could not be decoded or did not validate: INVALID_ARGUMENT. */
export class InvalidMetaError extends AgentError {
  constructor(message: string) {
    super(status.INVALID_ARGUMENT, message);
  }
}

/** No agent serves the requested category: NOT_FOUND. */
export class AgentNotFoundError extends AgentError {
  constructor(message: string) {
    super(status.NOT_FOUND, message);
  }
}

/** A configuration problem found at start-up (plugins, registry, flags). */
export class ConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigurationError";
  }
}

/** True for an {@link AgentError} from any copy of core. */
export function isAgentError(err: unknown): err is AgentError {
  return typeof err === "object" && err !== null && (err as Record<symbol, unknown>)[AGENT_ERROR_BRAND] === true;
}
