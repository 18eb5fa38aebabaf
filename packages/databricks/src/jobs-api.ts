/// <reference path="./proxy-from-env.d.ts" />
// (proxy-from-env ships no types: this file declares the one function used here, for every
// project that compiles this module, e.g. the testing package's type-check.)
import http from "node:http";
import https from "node:https";
import axios, { type AxiosInstance, isAxiosError, VERSION as AXIOS_VERSION } from "axios";
import { getProxyForUrl } from "proxy-from-env";
import { type AgentLogger, type RetryPolicy, retryHttp } from "@flyte-agent/core";
import { DirectHttp, DirectHttpError, type HttpTarget, httpTarget } from "./direct-http";
import { idString, parseJsonKeepingIds } from "./json-ids";
import type { RunState, RunStatus } from "./run-state";
import type { JsonObject } from "./run-submit-body";

/** One agent call's view of the Jobs API: where, with what token, until when. */
export interface JobsApiCall {
  /** Workspace base URL. */
  readonly baseUrl: string;
  /** Access token (sent as a Bearer header only; never logged). */
  readonly token: string;
  /** The RPC's signal: aborts requests and back-off waits. */
  readonly signal: AbortSignal;
  /** The RPC's deadline: no retry is started that cannot finish before it. */
  readonly deadline?: Date;
  readonly log: AgentLogger;
}

/** What a Jobs API request came to, after retries. */
export type ApiOutcome<T> =
  | { readonly kind: "ok"; readonly value: T }
  /** 401 or 403: the token is missing, wrong or lacks permission. */
  | { readonly kind: "auth"; readonly status: number; readonly message: string }
  /** The run does not exist in the workspace. */
  | { readonly kind: "not_found"; readonly status: number; readonly message: string }
  /** Any other 4xx: the request is wrong. */
  | { readonly kind: "rejected"; readonly status: number; readonly errorCode: string; readonly message: string }
  /** 429, 5xx or network errors that outlasted the retries (or the deadline). */
  | { readonly kind: "unavailable"; readonly message: string; readonly attempts: number };

/** The parts of `runs/get` the agent uses. */
export interface RunInfo {
  readonly runId: string;
  readonly jobId?: string;
  readonly state?: RunState;
  readonly status?: RunStatus;
  readonly runPageUrl?: string;
}

/** Settings of {@link JobsApiClient}. */
export interface JobsApiClientOptions {
  readonly requestTimeoutMs: number;
  readonly retry: RetryPolicy;
  readonly maxSockets: number;
}

/**
 * Time kept free before the RPC deadline so the agent can still answer: a fifth of the time
 * left, at least 300 ms and at most 1 s (a busy host answers late by more than a fixed 300 ms).
 */
function deadlineMarginMs(remainingMs: number): number {
  return Math.min(1_000, Math.max(300, Math.round(remainingMs / 5)));
}

/** Largest response body read. */
const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;
const API = "/api/2.1/jobs";

type Response = { status: number; headers: Record<string, unknown>; body: unknown };
type Attempt = { response: Response } | { networkError: string };

/** The User-Agent and Accept-Encoding axios adds to every request (sent the same way without axios). */
const USER_AGENT = `axios/${AXIOS_VERSION}`;
const ACCEPT_ENCODING = "gzip, compress, deflate, br";

/** Bytes axios strips from a header value: C0 controls but tab, DEL, and anything past Latin-1. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters removed.
const NOT_HEADER_BYTES = /[^\u0009\u0020-\u007e\u0080-\u00ff]+/g;

/** A header value as axios sent it: bytes a header cannot carry removed, then spaces and tabs trimmed at both ends. */
function headerValue(value: string): string {
  return value.replace(NOT_HEADER_BYTES, "").replace(/^[ \t]+|[ \t]+$/g, "");
}

/** Parsed workspace base URLs: the few a pod talks to. */
const MAX_TARGETS = 64;

/**
 * A small Jobs API 2.1 client: keep-alive connection pools (one per protocol, shared by every
 * workspace), a timeout on every request, the caller's AbortSignal on every request, and bounded
 * retries of 429 (honouring Retry-After), 5xx and network errors. A request that an
 * `HTTP(S)_PROXY`/`NO_PROXY` setting sends through a proxy goes through axios, which owns proxying
 * (forwarding, CONNECT tunnels, proxy credentials); the others go straight through Node's
 * `http`/`https` on the same pools, with the same headers, timeouts and errors (see
 * {@link DirectHttp}): a `runs/get` costs about half the CPU that way.
 */
export class JobsApiClient {
  private readonly http: AxiosInstance;
  private readonly direct: DirectHttp;
  private readonly targets = new Map<string, HttpTarget>();
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;

  constructor(private readonly options: JobsApiClientOptions) {
    const pool = { keepAlive: true, keepAliveMsecs: 1_000, maxSockets: options.maxSockets, scheduling: "lifo" as const };
    this.httpAgent = new http.Agent(pool);
    this.httpsAgent = new https.Agent(pool);
    this.http = axios.create({
      httpAgent: this.httpAgent,
      httpsAgent: this.httpsAgent,
      maxRedirects: 0,
      maxContentLength: MAX_RESPONSE_BYTES,
      responseType: "text",
      transformResponse: [(data: unknown) => data],
      validateStatus: () => true,
    });
    this.direct = new DirectHttp({
      httpAgent: this.httpAgent,
      httpsAgent: this.httpsAgent,
      maxResponseBytes: MAX_RESPONSE_BYTES,
    });
  }

  /** `POST runs/submit`; the body carries the idempotency token. */
  async submitRun(call: JobsApiCall, body: JsonObject): Promise<ApiOutcome<{ runId: string }>> {
    const outcome = await this.request(call, "POST", "/runs/submit", JSON.stringify(body));
    if (outcome.kind !== "ok") return outcome;
    const runId = idString((outcome.value as JsonObject | null)?.run_id);
    if (!runId) return { kind: "unavailable", message: "runs/submit answered without a run_id", attempts: 1 };
    return { kind: "ok", value: { runId } };
  }

  /** `GET runs/get?run_id=`. */
  async getRun(call: JobsApiCall, runId: string): Promise<ApiOutcome<RunInfo>> {
    const outcome = await this.request(call, "GET", `/runs/get?run_id=${encodeURIComponent(runId)}`);
    if (outcome.kind !== "ok") return outcome;
    const body = (typeof outcome.value === "object" && outcome.value !== null ? outcome.value : {}) as JsonObject;
    const asObject = <T>(v: unknown): T | undefined => (typeof v === "object" && v !== null ? (v as T) : undefined);
    return {
      kind: "ok",
      value: {
        runId,
        jobId: idString(body.job_id),
        state: asObject<RunState>(body.state),
        status: asObject<RunStatus>(body.status),
        runPageUrl: typeof body.run_page_url === "string" ? body.run_page_url : undefined,
      },
    };
  }

  /** `POST runs/cancel`. */
  async cancelRun(call: JobsApiCall, runId: string): Promise<ApiOutcome<unknown>> {
    // Written by hand so an id above 2^53 is sent exactly (runId is checked to be digits).
    return this.request(call, "POST", "/runs/cancel", `{"run_id":${runId}}`);
  }

  /** Closes pooled connections. */
  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  private async request(call: JobsApiCall, method: "GET" | "POST", path: string, body?: string): Promise<ApiOutcome<unknown>> {
    const route = path.split("?")[0];
    const outcome = await retryHttp(
      async ({ attempt, remainingMs }) => {
        const started = Date.now();
        const result = await this.send(call, method, path, body, Math.min(this.options.requestTimeoutMs, remainingMs));
        if ("networkError" in result) return result;
        call.log.debug({ method, path: route, status: result.response.status, attempt, ms: Date.now() - started }, "jobs api");
        return result.response;
      },
      {
        service: "Databricks",
        describe: describeError,
        policy: this.options.retry,
        signal: call.signal,
        deadline: call.deadline,
        marginMs: call.deadline ? deadlineMarginMs(call.deadline.getTime() - Date.now()) : 0,
        onRetry: (info) => call.log.debug({ method, path: route, ...info }, "jobs api retry"),
      },
    );
    if (outcome.kind === "unavailable") return outcome;
    const { answer } = outcome;
    return answer.status >= 200 && answer.status < 300 ? { kind: "ok", value: answer.body } : classify(answer);
  }

  private async send(
    call: JobsApiCall,
    method: string,
    path: string,
    body: string | undefined,
    timeoutMs: number,
  ): Promise<Attempt> {
    if (call.signal.aborted) throw call.signal.reason;
    const target = this.target(call.baseUrl);
    try {
      const answer =
        getProxyForUrl(target.proxyKey) === ""
          ? await this.sendDirect(call, target, method, path, body, timeoutMs)
          : await this.sendWithAxios(call, method, path, body, timeoutMs);
      return { response: { status: answer.status, headers: answer.headers, body: parseBody(answer.text) } };
    } catch (err) {
      if (call.signal.aborted) throw call.signal.reason;
      const code = isAxiosError(err) || err instanceof DirectHttpError ? err.code : undefined;
      if (code === "ECONNABORTED" || code === "ETIMEDOUT") {
        return { networkError: `no answer from Databricks within ${timeoutMs} ms` };
      }
      const message = err instanceof Error ? err.message : "unknown error";
      return { networkError: `cannot reach Databricks (${code ? `${code}: ` : ""}${message})` };
    }
  }

  /** The base URL split for `http.request`, parsed once per workspace. */
  private target(baseUrl: string): HttpTarget {
    let target = this.targets.get(baseUrl);
    if (!target) {
      if (this.targets.size >= MAX_TARGETS) this.targets.clear();
      target = httpTarget(baseUrl);
      this.targets.set(baseUrl, target);
    }
    return target;
  }

  private sendDirect(
    call: JobsApiCall,
    target: HttpTarget,
    method: string,
    path: string,
    body: string | undefined,
    timeoutMs: number,
  ): Promise<{ status: number; headers: Record<string, unknown>; text: unknown }> {
    // The headers axios sent, in its order.
    const authorization = headerValue(`Bearer ${call.token}`);
    const headers: Record<string, string> =
      body === undefined
        ? {
            Accept: "application/json",
            Authorization: authorization,
            "User-Agent": USER_AGENT,
            "Accept-Encoding": ACCEPT_ENCODING,
          }
        : {
            Accept: "application/json",
            "Content-Type": "application/json",
            Authorization: authorization,
            "User-Agent": USER_AGENT,
            "Content-Length": String(Buffer.byteLength(body)),
            "Accept-Encoding": ACCEPT_ENCODING,
          };
    return this.direct.request({ target, method, path: `${API}${path}`, headers, body, timeoutMs, signal: call.signal });
  }

  private async sendWithAxios(
    call: JobsApiCall,
    method: string,
    path: string,
    body: string | undefined,
    timeoutMs: number,
  ): Promise<{ status: number; headers: Record<string, unknown>; text: unknown }> {
    // axios ends a request that gets no bytes for `timeout` ms (ECONNABORTED); the call's
    // signal covers its deadline and cancellation. (A combined AbortSignal.timeout +
    // AbortSignal.any per request cost about 2 % of the server's CPU at 1,000 GetTask/s.)
    const res = await this.http.request<string>({
      method,
      url: `${call.baseUrl}${API}${path}`,
      data: body,
      timeout: timeoutMs,
      signal: call.signal,
      headers: {
        Authorization: `Bearer ${call.token}`,
        Accept: "application/json",
        ...(body !== undefined ? { "Content-Type": "application/json" } : {}),
      },
    });
    return { status: res.status, headers: res.headers as Record<string, unknown>, text: res.data };
  }
}

function parseBody(text: unknown): unknown {
  if (typeof text !== "string" || text.trim() === "") return undefined;
  try {
    return parseJsonKeepingIds(text);
  } catch {
    return undefined;
  }
}

function errorFields(res: Response): { errorCode: string; message: string } {
  const body = typeof res.body === "object" && res.body !== null ? (res.body as JsonObject) : {};
  const errorCode = typeof body.error_code === "string" ? body.error_code : "";
  const raw = typeof body.message === "string" ? body.message : typeof body.error === "string" ? body.error : "";
  return { errorCode, message: raw.length > 300 ? `${raw.slice(0, 300)}...` : raw };
}

function describeError(res: Response): string {
  const { errorCode, message } = errorFields(res);
  return `HTTP ${res.status}${errorCode ? ` ${errorCode}` : ""}${message ? `: ${message}` : ""}`;
}

function classify(res: Response): ApiOutcome<never> {
  const { errorCode, message } = errorFields(res);
  const text = describeError(res);
  if (res.status === 401 || res.status === 403) return { kind: "auth", status: res.status, message: text };
  if (
    res.status === 404 ||
    errorCode === "RESOURCE_DOES_NOT_EXIST" ||
    (errorCode === "INVALID_PARAMETER_VALUE" && /does not exist|not found/i.test(message))
  ) {
    return { kind: "not_found", status: res.status, message: text };
  }
  return { kind: "rejected", status: res.status, errorCode, message: text };
}
