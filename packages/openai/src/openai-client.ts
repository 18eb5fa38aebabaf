import type { AgentLogger, RetryPolicy } from "@flyte-agent/core";
import { AgentError, redactValues, retryHttp, StatusCode } from "@flyte-agent/core";
import { boundedFetch, ResponseTooLarge } from "./bounded-fetch";

const importOpenAI = () => import("openai");
/** The `openai` module (its ES module build), loaded on first use (never at start-up: idle memory stays small). */
type OpenAIModule = Awaited<ReturnType<typeof importOpenAI>>;
/** A client of the SDK. */
type OpenAI = InstanceType<OpenAIModule["OpenAI"]>;
let sdk: Promise<OpenAIModule> | undefined;

/** Loads the official SDK once; later calls share the promise. */
export function loadOpenAI(): Promise<OpenAIModule> {
  sdk ??= importOpenAI();
  return sdk;
}

/** True once the SDK was loaded (for the start-up test). */
export function openAILoaded(): boolean {
  return sdk !== undefined;
}

/** Settings shared by every call of one agent (resolved in its constructor). */
export interface ClientSettings {
  /** API base URL, e.g. `https://api.openai.com/v1`. */
  readonly baseUrl: string;
  /** Longest one HTTP request may take, in ms. */
  readonly requestTimeoutMs: number;
  /** Retries of 429, 5xx and network failures. */
  readonly retry: RetryPolicy;
  /** Largest response body read, in bytes. */
  readonly maxResponseBytes: number;
}

/** One agent call to OpenAI: the credentials, the RPC's signal and deadline. */
export interface OpenAICall {
  readonly apiKey: string;
  /** The `OpenAI-Organization` header; none when null. */
  readonly organization: string | null;
  readonly signal: AbortSignal;
  /** When the whole call must end (the RPC deadline, or an earlier budget). */
  readonly deadline?: Date;
  readonly log: AgentLogger;
}

/** What a request came to. */
export type OpenAIOutcome<T> =
  | { readonly kind: "ok"; readonly value: T }
  /** An HTTP error answer that is not retried (4xx other than 429): status and OpenAI's message. */
  | { readonly kind: "refused"; readonly status: number; readonly message: string; readonly code?: string }
  /** 429, 5xx or network failures that outlasted the retries or the deadline. */
  | { readonly kind: "unavailable"; readonly message: string };

interface Answer<T> {
  readonly status: number;
  readonly headers: Readonly<Record<string, unknown>>;
  readonly value?: T;
  readonly message?: string;
  readonly code?: string;
}

/**
 * Time kept free before the deadline so the agent can still answer: a fifth of the time left,
 * at least 200 ms and at most 1 s.
 */
function marginMs(deadline: Date | undefined): number {
  if (!deadline) return 0;
  return Math.min(1_000, Math.max(200, Math.round((deadline.getTime() - Date.now()) / 5)));
}

/**
 * Runs one OpenAI API request through the official SDK with the agent's retries: the SDK's own
 * retries are off (`maxRetries: 0`) and each attempt's `timeout` is the time left, so the call
 * never outlives its deadline; 429 (after its `Retry-After`), 5xx and network failures are tried
 * again by core's `retryHttp`. The API key and organization are passed explicitly, and every
 * other setting the SDK would read from the environment (`OPENAI_API_KEY`, `OPENAI_ORG_ID`,
 * `OPENAI_PROJECT_ID`, `OPENAI_ADMIN_KEY`, `OPENAI_WEBHOOK_SECRET`, `OPENAI_LOG`, and
 * `OPENAI_BASE_URL`, which the agent resolved itself) is set, so none of them is read.
 */
export async function requestOpenAI<T>(
  settings: ClientSettings,
  call: OpenAICall,
  what: string,
  send: (
    client: OpenAI,
    options: { timeout: number; signal: AbortSignal; maxRetries: 0 },
  ) => PromiseLike<{ data: T; response: Response }>,
): Promise<OpenAIOutcome<T>> {
  const mod = await loadOpenAI();
  const client = new mod.OpenAI({
    apiKey: call.apiKey,
    organization: call.organization,
    project: null,
    adminAPIKey: null,
    webhookSecret: null,
    baseURL: settings.baseUrl,
    maxRetries: 0,
    timeout: settings.requestTimeoutMs,
    logLevel: "off",
    fetch: boundedFetch(settings.maxResponseBytes),
  });
  const redact = (text: string) => redactValues(text, [call.apiKey]);
  const outcome = await retryHttp<Answer<T>>(
    async ({ attempt, remainingMs }) => {
      const timeout = Math.max(1, Math.floor(Math.min(settings.requestTimeoutMs, remainingMs)));
      const started = Date.now();
      try {
        const { data, response } = await send(client, { timeout, signal: call.signal, maxRetries: 0 });
        call.log.debug({ what, status: response.status, attempt, ms: Date.now() - started }, "openai api");
        return { status: response.status, headers: {}, value: data };
      } catch (err) {
        if (call.signal.aborted) throw call.signal.reason ?? err;
        const tooLarge = tooLargeIn(err);
        if (tooLarge) throw new AgentError(StatusCode.UNAVAILABLE, `${what}: ${tooLarge.message}`);
        // (A timeout is also recognised by the time taken: the SDK reports it as a plain connection
        // error when the abort comes from another realm, as under test runners.)
        if (
          err instanceof mod.APIConnectionTimeoutError ||
          (err instanceof mod.APIConnectionError && Date.now() - started >= timeout)
        ) {
          return { networkError: `no answer from OpenAI within ${timeout} ms` };
        }
        if (err instanceof mod.APIConnectionError) return { networkError: `cannot reach OpenAI: ${redact(causeText(err))}` };
        if (err instanceof mod.APIError && typeof err.status === "number") {
          call.log.debug({ what, status: err.status, attempt, ms: Date.now() - started }, "openai api");
          return {
            status: err.status,
            headers: headersOf(err.headers),
            message: redact(apiMessage(err)),
            code: typeof err.code === "string" ? err.code : undefined,
          };
        }
        throw err;
      }
    },
    {
      service: "OpenAI",
      describe: (a) => `HTTP ${a.status}${a.message ? `: ${a.message}` : ""}`,
      policy: settings.retry,
      signal: call.signal,
      deadline: call.deadline,
      marginMs: marginMs(call.deadline),
      onRetry: (info) => call.log.debug({ what, ...info }, "openai api retry"),
    },
  );
  if (outcome.kind === "unavailable") return { kind: "unavailable", message: outcome.message };
  const { answer } = outcome;
  if (answer.status >= 200 && answer.status < 300 && answer.value !== undefined) return { kind: "ok", value: answer.value };
  return { kind: "refused", status: answer.status, message: answer.message ?? `HTTP ${answer.status}`, code: answer.code };
}

function headersOf(headers: Headers | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  headers?.forEach((value, name) => {
    out[name.toLowerCase()] = value;
  });
  return out;
}

/** OpenAI's own error message (the SDK prefixes the status, which the agent writes itself). */
function apiMessage(err: { message: string; error?: unknown }): string {
  const body = err.error as { message?: unknown } | undefined;
  const text = typeof body?.message === "string" ? body.message : err.message;
  return text.length > 500 ? `${text.slice(0, 500)}...` : text;
}

/** The {@link ResponseTooLarge} behind an error (the SDK may wrap it), if any. */
function tooLargeIn(err: unknown): ResponseTooLarge | undefined {
  let e: unknown = err;
  for (let depth = 0; typeof e === "object" && e !== null && depth < 5; depth++) {
    if (e instanceof ResponseTooLarge || (e as Error).name === "ResponseTooLarge") return e as ResponseTooLarge;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

function causeText(err: Error): string {
  const cause = (err as { cause?: unknown }).cause;
  return cause instanceof Error ? `${err.message} (${cause.message})` : err.message;
}
