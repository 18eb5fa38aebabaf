import http from "node:http";
import https from "node:https";
import type { AxiosInstance, AxiosStatic } from "axios";
import { type AgentLogger, type HttpAttempt, type RetryPolicy, retryHttp } from "@flyte-agent/core";
import { SNOWFLAKE_PLUGIN_VERSION } from "./version";

/** One agent call's view of the SQL API: where, with what token, until when. */
export interface SqlApiCall {
  /** Base URL, e.g. `https://myorg-myaccount.snowflakecomputing.com`. */
  readonly baseUrl: string;
  /** Key-pair JWT (sent as a Bearer header only; never logged). */
  readonly token: string;
  /** The RPC's signal: aborts requests and back-off waits. */
  readonly signal: AbortSignal;
  /** The RPC's deadline: no retry is started that cannot finish before it. */
  readonly deadline?: Date;
  readonly log: AgentLogger;
}

/** A JSON object as the SQL API sends it. */
export type ApiBody = { readonly [key: string]: unknown };

/** What a SQL API request came to, after retries. */
export type SqlApiOutcome =
  /** Any answer that is not retried (2xx, 4xx other than 429): the caller reads it. */
  | { readonly kind: "answer"; readonly status: number; readonly body: ApiBody }
  /** 429, 5xx or network errors that outlasted the retries (or the deadline). */
  | { readonly kind: "unavailable"; readonly message: string; readonly attempts: number };

/** The body of `POST /api/v2/statements`. */
export interface StatementRequest {
  statement: string;
  database: string;
  schema: string;
  warehouse: string;
  role?: string;
  timeout?: number;
  bindings?: { [position: string]: { type: string; value: string | null } };
  parameters?: { [name: string]: string };
}

/** Settings of {@link SqlApiClient}. */
export interface SqlApiClientOptions {
  readonly requestTimeoutMs: number;
  readonly retry: RetryPolicy;
  readonly maxSockets: number;
}

/** Time kept free before the RPC deadline so the agent can still answer. */
const DEADLINE_MARGIN_MS = 300;
/** Largest response body read (a finished query's answer carries its first result partition). */
const MAX_RESPONSE_BYTES = 32 * 1024 * 1024;
const STATEMENTS = "/api/v2/statements";
const USER_AGENT = `flyte-agent-snowflake/${SNOWFLAKE_PLUGIN_VERSION}`;

/** One answer of the SQL API, body parsed. */
interface Answer {
  readonly status: number;
  readonly headers: Record<string, unknown>;
  readonly body: ApiBody;
}

/**
 * A small Snowflake SQL API v2 client over axios: keep-alive connection pools, a timeout and the
 * caller's AbortSignal on every request, key-pair JWT headers, and bounded retries of 429
 * (honouring Retry-After), 5xx and network errors.
 */
export class SqlApiClient {
  private readonly axios: AxiosStatic;
  private readonly http: AxiosInstance;
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;

  constructor(private readonly options: SqlApiClientOptions) {
    const pool = { keepAlive: true, keepAliveMsecs: 1_000, maxSockets: options.maxSockets, scheduling: "lifo" as const };
    this.httpAgent = new http.Agent(pool);
    this.httpsAgent = new https.Agent(pool);
    // axios loads with the first client (the agent makes it on first use), not with the plugin:
    // at start-up it would cost about 6 MiB of resident memory in every server.
    this.axios = require("axios") as AxiosStatic;
    this.http = this.axios.create({
      httpAgent: this.httpAgent,
      httpsAgent: this.httpsAgent,
      maxRedirects: 0,
      maxContentLength: MAX_RESPONSE_BYTES,
      responseType: "text",
      transformResponse: [(data: unknown) => data],
      validateStatus: () => true,
    });
  }

  /**
   * `POST /api/v2/statements?requestId=..&async=true`. The request id makes a resubmission
   * (a retry here, or a repeated CreateTask) find the statement already submitted.
   */
  submit(call: SqlApiCall, requestId: string, body: StatementRequest): Promise<SqlApiOutcome> {
    const query = `?requestId=${encodeURIComponent(requestId)}&async=true`;
    return this.request(call, "POST", query, JSON.stringify(body), (attempt) => (attempt > 1 ? "&retry=true" : ""));
  }

  /** `GET /api/v2/statements/{handle}`. */
  status(call: SqlApiCall, handle: string): Promise<SqlApiOutcome> {
    return this.request(call, "GET", `/${encodeURIComponent(handle)}`);
  }

  /** `POST /api/v2/statements/{handle}/cancel`. */
  cancel(call: SqlApiCall, handle: string): Promise<SqlApiOutcome> {
    return this.request(call, "POST", `/${encodeURIComponent(handle)}/cancel`, "{}");
  }

  /** Closes pooled connections. */
  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  private async request(
    call: SqlApiCall,
    method: "GET" | "POST",
    path: string,
    body?: string,
    suffix: (attempt: number) => string = () => "",
  ): Promise<SqlApiOutcome> {
    const route = method === "GET" ? "status" : path.startsWith("?") ? "submit" : "cancel";
    const outcome = await retryHttp<Answer>(
      async ({ attempt, remainingMs }) => {
        const started = Date.now();
        const timeoutMs = Math.min(this.options.requestTimeoutMs, remainingMs);
        const result = await this.send(call, method, `${path}${suffix(attempt)}`, body, timeoutMs);
        if (!("networkError" in result)) {
          call.log.debug({ route, status: result.status, attempt, ms: Date.now() - started }, "snowflake sql api");
        }
        return result;
      },
      {
        service: "Snowflake",
        describe: (answer) => describeAnswer(answer.status, answer.body),
        policy: this.options.retry,
        signal: call.signal,
        deadline: call.deadline,
        marginMs: DEADLINE_MARGIN_MS,
        onRetry: (info) => call.log.debug({ route, ...info }, "snowflake sql api retry"),
      },
    );
    if (outcome.kind === "unavailable") return outcome;
    return { kind: "answer", status: outcome.answer.status, body: outcome.answer.body };
  }

  private async send(
    call: SqlApiCall,
    method: string,
    path: string,
    body: string | undefined,
    timeoutMs: number,
  ): Promise<HttpAttempt<Answer>> {
    if (call.signal.aborted) throw call.signal.reason;
    try {
      // axios ends a request that gets no bytes for `timeout` ms (ECONNABORTED); the call's
      // signal covers its deadline and cancellation (as in the Databricks plugin).
      const res = await this.http.request<string>({
        method,
        url: `${call.baseUrl}${STATEMENTS}${path}`,
        data: body,
        timeout: timeoutMs,
        signal: call.signal,
        headers: {
          Authorization: `Bearer ${call.token}`,
          "X-Snowflake-Authorization-Token-Type": "KEYPAIR_JWT",
          Accept: "application/json",
          "User-Agent": USER_AGENT,
          ...(body !== undefined ? { "Content-Type": "application/json" } : {}),
        },
      });
      return { status: res.status, headers: res.headers as Record<string, unknown>, body: parseBody(res.data) };
    } catch (err) {
      if (call.signal.aborted) throw call.signal.reason;
      const code = this.axios.isAxiosError(err) ? err.code : undefined;
      if (code === "ECONNABORTED" || code === "ETIMEDOUT") {
        return { networkError: `no answer from Snowflake within ${timeoutMs} ms` };
      }
      const message = err instanceof Error ? err.message : "unknown error";
      return { networkError: `cannot reach Snowflake (${code ? `${code}: ` : ""}${message})` };
    }
  }
}

function parseBody(text: unknown): ApiBody {
  if (typeof text !== "string" || text.trim() === "") return {};
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as ApiBody) : {};
  } catch {
    return {};
  }
}

/** Snowflake's explanation in an answer: message, SQL state and error code when present. */
export function errorText(body: ApiBody): string {
  const raw = typeof body.message === "string" ? body.message : "";
  const message = raw.length > 500 ? `${raw.slice(0, 500)}...` : raw;
  const details = [
    typeof body.sqlState === "string" && body.sqlState ? `SQL state ${body.sqlState}` : "",
    typeof body.code === "string" && body.code ? `code ${body.code}` : "",
  ].filter((d) => d !== "");
  return `${message || "no message"}${details.length ? ` (${details.join(", ")})` : ""}`;
}

/** `HTTP <status>: <message> (SQL state, code)`. */
export function describeAnswer(status: number, body: ApiBody): string {
  return `HTTP ${status}: ${errorText(body)}`;
}
