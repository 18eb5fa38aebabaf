import { createHash } from "node:crypto";
import {
  AgentError,
  AsyncAgent,
  type CallContext,
  type CreateContext,
  InvalidMetaError,
  Phase,
  type Resource,
  type SecretSourceOptions,
  type TaskCategory,
  StatusCode,
  TaskInputError,
  expectMetaFields,
  getSecret,
  requireSecret,
  retryPolicy,
} from "@flyte-agent/core";
import { type AccountIdentifier, ENDPOINT_ENV, apiBaseUrl, parseAccount } from "./account";
import { bindStatement } from "./bindings";
import { JwtCache } from "./jwt";
import { type KeyPair, KeyPairError, PASSPHRASE_SECRET, PRIVATE_KEY_SECRET, loadKeyPair } from "./key-pair";
import { attemptRequestId } from "./request-id";
import {
  type ApiBody,
  type SqlApiCall,
  SqlApiClient,
  type SqlApiClientOptions,
  type StatementRequest,
  describeAnswer,
  errorText,
} from "./sql-api";
import { queryLink, statusToResource } from "./statement-status";
import { declaresOutputs, readTaskConfig, SNOWFLAKE_CUSTOM_KEYS } from "./task-config";
import type { SnowflakeAgentOptions, SnowflakeQueryMeta } from "./types";

/** Display name of the agent. */
export const SNOWFLAKE_AGENT_NAME = "Snowflake Agent";
/** The task type the agent serves (version 0), as both Python SDKs write it. */
export const SNOWFLAKE_TASK_TYPE = "snowflake";

const HANDLE = /^[A-Za-z0-9-]{1,128}$/;

/** Retry defaults of this plugin (see {@link SnowflakeAgentOptions.retry}). */
const DEFAULT_RETRY = { maxAttempts: 4, baseDelayMs: 200, maxDelayMs: 2_000, maxRetryAfterMs: 5_000 } as const;

/** Who a call acts as: the account, the user and a signed JWT. */
interface Principal {
  readonly account: AccountIdentifier;
  readonly user: string;
  readonly keyPair: KeyPair;
  readonly token: string;
}

/**
 * Runs `snowflake` tasks as asynchronous statements of the Snowflake SQL API v2, authenticated by
 * key pair (a JWT signed with the `snowflake_private_key` secret). CreateTask submits (once per
 * task attempt), GetTask reads the statement status, DeleteTask cancels it.
 */
export class SnowflakeAgent extends AsyncAgent<SnowflakeQueryMeta> {
  readonly name = SNOWFLAKE_AGENT_NAME;
  readonly category: TaskCategory = { name: SNOWFLAKE_TASK_TYPE, version: 0 };
  /** The keys of `template.custom` this agent reads (flyte-sdk's connection fields, parameter types). */
  readonly customKeys = SNOWFLAKE_CUSTOM_KEYS;
  private client?: SqlApiClient;
  private readonly clientOptions: SqlApiClientOptions;
  /** `endpoint` or `FLYTE_SNOWFLAKE_ENDPOINT`, read once (checked per call, with the account). */
  private readonly endpoint: string | undefined;
  private readonly secretSource: SecretSourceOptions;
  private readonly jwts: JwtCache;
  private readonly keys = new Map<string, KeyPair>();

  constructor(options: SnowflakeAgentOptions = {}) {
    super();
    const env = options.env ?? process.env;
    this.endpoint = options.endpoint ?? env[ENDPOINT_ENV];
    this.secretSource = { ...options.secrets, env: options.secrets?.env ?? env };
    const requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
    const maxSockets = options.maxSockets ?? 64;
    if (!(requestTimeoutMs > 0)) throw new RangeError(`requestTimeoutMs must be > 0, got ${requestTimeoutMs}`);
    if (!(maxSockets >= 1)) throw new RangeError(`maxSockets must be >= 1, got ${maxSockets}`);
    this.clientOptions = { requestTimeoutMs, maxSockets, retry: retryPolicy(options.retry, DEFAULT_RETRY) };
    this.jwts = new JwtCache({
      lifetimeSeconds: options.jwtLifetimeSeconds ?? 600,
      renewBeforeSeconds: options.jwtRenewBeforeSeconds ?? 120,
    });
  }

  /** Key-pair JWTs signed so far (cached tokens are reused until close to expiry). */
  get tokensIssued(): number {
    return this.jwts.issued;
  }

  /** Closes pooled connections (idle ones never keep the process alive). */
  close(): void {
    this.client?.close();
    this.client = undefined;
  }

  private get api(): SqlApiClient {
    this.client ??= new SqlApiClient(this.clientOptions);
    return this.client;
  }

  /** Submits the statement; the request id makes a repeated CreateTask of one attempt find it again. */
  async create(ctx: CreateContext): Promise<SnowflakeQueryMeta> {
    const config = readTaskConfig(ctx.template);
    const bound = bindStatement(config.statement, ctx.inputs, ctx.template.interface?.inputs, config.parameterTypes);
    const principal = this.principal(ctx, config.account, config.user, (m) => new AgentError(StatusCode.INVALID_ARGUMENT, m));
    const request: StatementRequest = {
      statement: bound.statement,
      database: config.database,
      schema: config.schema,
      warehouse: config.warehouse,
      ...(config.role ? { role: config.role } : {}),
      ...(config.timeoutSeconds !== undefined ? { timeout: config.timeoutSeconds } : {}),
      ...(Object.keys(bound.bindings).length > 0 ? { bindings: bound.bindings } : {}),
    };
    const requestId = attemptRequestId(
      ctx.taskExecutionMetadata,
      createHash("sha256").update(JSON.stringify(request)).digest("hex"),
    );
    const outcome = await this.api.submit(this.call(ctx, principal), requestId, request);
    if (outcome.kind === "unavailable") {
      throw new AgentError(
        StatusCode.UNAVAILABLE,
        `cannot submit the statement to Snowflake account ${config.account.raw}: ${outcome.message}`,
      );
    }
    const { status, body } = outcome;
    const handle = typeof body.statementHandle === "string" ? body.statementHandle : "";
    if (status === 401 || status === 403) throw new AgentError(authCode(status), authMessage(principal, status, body));
    if ((status === 200 || status === 202 || status === 408 || status === 422) && HANDLE.test(handle)) {
      ctx.log.info({ statementHandle: handle, requestId, account: config.account.raw }, "submitted Snowflake statement");
      return {
        account: config.account.raw,
        user: config.user,
        database: config.database,
        schema: config.schema,
        warehouse: config.warehouse,
        handle,
        hasOutputs: declaresOutputs(ctx.template),
      };
    }
    if (status === 422 || (status >= 400 && status < 500)) {
      throw new TaskInputError(`Snowflake refused the statement: ${describeAnswer(status, body)}`);
    }
    throw new AgentError(
      StatusCode.UNAVAILABLE,
      `Snowflake answered the submission without a statement handle (${describeAnswer(status, body)})`,
    );
  }

  /** Reads the statement's status. Transient API trouble is a RUNNING reply with a message, not an error. */
  async get(meta: SnowflakeQueryMeta, ctx: CallContext): Promise<Resource> {
    const account = parseAccount(meta.account);
    let principal: Principal;
    try {
      principal = this.principal(ctx, account, meta.user, (m) => new KeyPairError(m));
    } catch (err) {
      if (err instanceof KeyPairError)
        return { phase: Phase.FAILED, message: err.message, logLinks: [queryLink(account, meta.handle)] };
      throw err;
    }
    const outcome = await this.api.status(this.call(ctx, principal), meta.handle);
    if (outcome.kind === "unavailable") {
      ctx.log.warn(
        { statementHandle: meta.handle, reason: outcome.message },
        "Snowflake unavailable; reporting the query as running",
      );
      return {
        phase: Phase.RUNNING,
        message: `cannot read statement ${meta.handle} yet: ${outcome.message}`,
        logLinks: [queryLink(account, meta.handle)],
      };
    }
    if (outcome.status === 401 || outcome.status === 403) {
      return {
        phase: Phase.FAILED,
        message: authMessage(principal, outcome.status, outcome.body),
        logLinks: [queryLink(account, meta.handle)],
      };
    }
    return statusToResource(meta, account, outcome.status, outcome.body);
  }

  /** Cancels the statement; one that already finished or is unknown is fine. */
  async delete(meta: SnowflakeQueryMeta, ctx: CallContext): Promise<void> {
    const account = parseAccount(meta.account);
    const principal = this.principal(ctx, account, meta.user, (m) => new AgentError(StatusCode.FAILED_PRECONDITION, m));
    const outcome = await this.api.cancel(this.call(ctx, principal), meta.handle);
    if (outcome.kind === "unavailable") {
      throw new AgentError(StatusCode.UNAVAILABLE, `cannot cancel statement ${meta.handle}: ${outcome.message}`);
    }
    const { status, body } = outcome;
    if (status === 200 || status === 202 || status === 404 || status === 422) {
      ctx.log.info({ statementHandle: meta.handle, status }, "cancelled Snowflake statement");
      return;
    }
    if (status === 401 || status === 403) throw new AgentError(authCode(status), authMessage(principal, status, body));
    throw new AgentError(
      StatusCode.FAILED_PRECONDITION,
      `Snowflake refused to cancel statement ${meta.handle}: ${describeAnswer(status, body)}`,
    );
  }

  protected override validateMeta(value: unknown): SnowflakeQueryMeta {
    const meta = expectMetaFields<SnowflakeQueryMeta>(value, {
      account: "string",
      user: "string",
      database: "string",
      schema: "string",
      warehouse: "string",
      handle: "string",
      hasOutputs: "boolean",
    });
    if (!HANDLE.test(meta.handle)) throw new InvalidMetaError("resource_meta handle must be a Snowflake statement handle");
    try {
      parseAccount(meta.account);
    } catch (err) {
      throw new InvalidMetaError(`resource_meta account ${(err as Error).message}`);
    }
    return meta;
  }

  /**
   * Reads the key (each call, so rotated secrets apply; the call's connection first, then the
   * pod's secrets, under the keys flyte-sdk's connector uses), loads it (cached by content) and
   * signs or reuses a JWT.
   */
  private principal(ctx: CallContext, account: AccountIdentifier, user: string, keyError: (message: string) => Error): Principal {
    const lookup = { ...this.secretSource, connection: ctx.connection };
    const pem = requireSecret(PRIVATE_KEY_SECRET, lookup);
    const passphraseValue = getSecret(PASSPHRASE_SECRET, lookup);
    const passphrase = passphraseValue?.trim() ? passphraseValue : undefined;
    const cacheKey = createHash("sha256")
      .update(`${pem}\0${passphrase ?? ""}`)
      .digest("hex");
    let keyPair = this.keys.get(cacheKey);
    if (!keyPair) {
      try {
        keyPair = loadKeyPair(pem, passphrase);
      } catch (err) {
        if (err instanceof KeyPairError) throw keyError(err.message);
        throw err;
      }
      if (this.keys.size >= 16) this.keys.clear();
      this.keys.set(cacheKey, keyPair);
    }
    return { account, user, keyPair, token: this.jwts.token(account.jwtAccount, user, keyPair) };
  }

  private call(ctx: CallContext, principal: Principal): SqlApiCall {
    let baseUrl: string;
    try {
      baseUrl = apiBaseUrl(principal.account, this.endpoint);
    } catch (err) {
      throw new AgentError(StatusCode.FAILED_PRECONDITION, (err as Error).message);
    }
    return { baseUrl, token: principal.token, signal: ctx.signal, deadline: ctx.deadline, log: ctx.log };
  }
}

function authCode(httpStatus: number): number {
  return httpStatus === 401 ? StatusCode.UNAUTHENTICATED : StatusCode.PERMISSION_DENIED;
}

/** Names the account, the user and the public key fingerprint; never the key or the token. */
function authMessage(p: Principal, httpStatus: number, body: ApiBody): string {
  const who = `user ${p.user} in account ${p.account.raw}`;
  return httpStatus === 401
    ? `Snowflake rejected key-pair authentication of ${who} (HTTP 401: ${errorText(body)}): check that the user's RSA_PUBLIC_KEY is the public key of ${PRIVATE_KEY_SECRET} (${p.keyPair.fingerprint})`
    : `${who} may not run this (HTTP 403: ${errorText(body)}): check the role's privileges on the warehouse, database and schema`;
}
