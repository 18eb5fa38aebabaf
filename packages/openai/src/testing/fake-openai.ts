import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { plain, type ReadJson, readJson, WrittenNumber } from "./json-reader";

/** A batch as the fake keeps it (the API's batch object). */
export type FakeBatch = { id: string; status: string; metadata: Record<string, string> | null; [key: string]: unknown };

/** What the fake answers a chat completion with. */
export type FakeChatReply = string | { refusal: string } | { content: null; finishReason: string };

/** A scripted failure of the next matching request(s). */
export interface FakeFault {
  /** Only requests whose path starts with this (e.g. `/v1/batches`). @default every request */
  path?: string;
  /** Only requests with this method. @default any */
  method?: "GET" | "POST";
  /** HTTP status to answer with (429, 500, 503...). Ignored when `drop` is set. */
  status?: number;
  /** `Retry-After` header (seconds) sent with the status. */
  retryAfter?: string;
  /** Close the connection without an answer. */
  drop?: boolean;
  /** Wait this long before answering (or dropping), in ms. */
  delayMs?: number;
  /** How many requests this fault applies to. @default 1 */
  times?: number;
}

/** One request the fake received (for assertions; never log these in real code). */
export interface FakeRequestRecord {
  readonly method: string;
  readonly path: string;
  /** The `Authorization` header. */
  readonly authorization?: string;
  /** The `OpenAI-Organization` header. */
  readonly organization?: string;
  /** The `OpenAI-Project` header. */
  readonly project?: string;
  /** The parsed JSON body of a POST. */
  readonly body?: unknown;
}

/** Options of {@link startFakeOpenAI}. */
export interface FakeOpenAIOptions {
  /** The API key the fake accepts (`Authorization: Bearer <key>`). */
  apiKey: string;
  /** Organizations the key belongs to; a request naming another is a 401 (`mismatched_organization`). @default any */
  organizations?: readonly string[];
  /** Keys that authenticate but may do nothing (every call a 403 `insufficient_permissions`). @default none */
  deniedKeys?: readonly string[];
  /** File ids that exist; a batch for another file is a 400. @default any id starting with "file-" */
  files?: readonly string[];
  /** Statuses a batch goes through, one per GET after creation. @default ["in_progress", "finalizing", "completed"] */
  progression?: readonly string[];
  /** Errors set on a batch that ends `failed`. @default one error, "Input file has invalid JSONL" */
  failureErrors?: { code: string; message: string; line?: number }[];
  /** The chat completion's answer. @default `You said: <the user message>` */
  chatReply?: (userMessage: string) => FakeChatReply;
  /** Largest request body, in bytes (413 beyond). @default 10485760 */
  maxBodyBytes?: number;
}

/** A fake of the OpenAI API (Batch and Chat Completions) on 127.0.0.1. */
export interface FakeOpenAI {
  /** Base URL to give the SDK or the agent: `http://127.0.0.1:<port>/v1`. */
  readonly url: string;
  /** Every batch, newest first. */
  readonly batches: FakeBatch[];
  /** Every request received, oldest first. */
  readonly requests: FakeRequestRecord[];
  /** Adds a scripted failure (see {@link FakeFault}). */
  fail(fault: FakeFault): void;
  /** Sets a batch's status (and, for `failed`, its errors). */
  setStatus(batchId: string, status: string): void;
  /** Adds a batch made elsewhere (e.g. by another run), newest first. */
  addBatch(batch: Partial<FakeBatch>): FakeBatch;
  /** Stops the server and closes every connection. */
  close(): Promise<void>;
}

const ENDPOINTS = ["/v1/responses", "/v1/chat/completions", "/v1/embeddings", "/v1/completions", "/v1/moderations"];
const BATCH_KEYS = ["input_file_id", "endpoint", "completion_window", "metadata", "output_expires_after"];
const CHAT_INTEGER_KEYS = ["max_tokens", "max_completion_tokens", "n", "seed", "top_logprobs"];
const CHAT_NUMBER_KEYS = ["temperature", "top_p", "presence_penalty", "frequency_penalty"];
const CHAT_KEYS = [
  "model",
  "messages",
  "stream",
  "stop",
  "user",
  "logprobs",
  "response_format",
  "tools",
  "tool_choice",
  "logit_bias",
  "store",
  "reasoning_effort",
  "metadata",
  "parallel_tool_calls",
  "service_tier",
  ...CHAT_INTEGER_KEYS,
  ...CHAT_NUMBER_KEYS,
];
const ROLES = ["system", "developer", "user", "assistant", "tool"];

class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type: string,
    readonly param: string | null = null,
    readonly code: string | null = null,
  ) {
    super(message);
  }
}

const invalid = (message: string, param: string | null = null, code: string | null = null) =>
  new ApiError(400, message, "invalid_request_error", param, code);

/**
 * Starts a fake of the OpenAI API on 127.0.0.1 and a free port. It checks what the real API
 * checks: the bearer key, the organization header against the key's organizations, JSON bodies
 * read by its own reader with strict types (an integer option written `10.0` is a 400, an unknown
 * argument is a 400), OpenAI's limits on batch metadata (16 keys, 64-character keys, 512-character
 * string values), and `limit` of the batch list (1 to 100). Batches advance one status per GET
 * (see `progression`); faults (status, `Retry-After`, dropped connection, delay) are scriptable
 * with {@link FakeOpenAI.fail}. Errors have OpenAI's body: `{"error": {message, type, param, code}}`.
 */
export async function startFakeOpenAI(options: FakeOpenAIOptions): Promise<FakeOpenAI> {
  const batches: FakeBatch[] = [];
  const requests: FakeRequestRecord[] = [];
  const faults: Array<FakeFault & { left: number }> = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;
  const progression = options.progression ?? ["in_progress", "finalizing", "completed"];
  const maxBody = options.maxBodyBytes ?? 10 * 1024 * 1024;
  const now = () => Math.floor(Date.now() / 1000);

  const newBatch = (fields: Partial<FakeBatch>): FakeBatch => {
    const created = now();
    const batch: FakeBatch = {
      id: `batch_${randomBytes(12).toString("hex")}`,
      object: "batch",
      endpoint: "/v1/chat/completions",
      errors: null,
      input_file_id: "file-unknown",
      completion_window: "24h",
      status: "validating",
      output_file_id: null,
      error_file_id: null,
      created_at: created,
      in_progress_at: null,
      expires_at: created + 86_400,
      finalizing_at: null,
      completed_at: null,
      failed_at: null,
      expired_at: null,
      cancelling_at: null,
      cancelled_at: null,
      request_counts: { total: 0, completed: 0, failed: 0 },
      metadata: null,
      ...fields,
    };
    batches.unshift(batch);
    return batch;
  };

  const setStatus = (batch: FakeBatch, status: string) => {
    batch.status = status;
    const at = now();
    if (status === "in_progress") batch.in_progress_at = at;
    if (status === "finalizing") batch.finalizing_at = at;
    if (status === "completed") {
      batch.completed_at = at;
      batch.output_file_id = `file-out-${batch.id.slice(6, 14)}`;
      batch.request_counts = { total: 2, completed: 2, failed: 0 };
    }
    if (status === "failed") {
      batch.failed_at = at;
      batch.errors = {
        object: "list",
        data: options.failureErrors ?? [{ code: "invalid_json_line", message: "Input file has invalid JSONL", line: 1 }],
      };
    }
    if (status === "cancelling") batch.cancelling_at = at;
    if (status === "cancelled") batch.cancelled_at = at;
    if (status === "expired") batch.expired_at = at;
  };

  const authenticate = (req: IncomingMessage): void => {
    const auth = req.headers.authorization;
    if (!auth?.startsWith("Bearer ")) {
      throw new ApiError(
        401,
        "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth.",
        "invalid_request_error",
      );
    }
    const key = auth.slice(7);
    const known = key === options.apiKey || (options.deniedKeys ?? []).includes(key);
    if (!known) {
      const masked = key.length > 8 ? `${key.slice(0, 3)}${"*".repeat(Math.min(20, key.length - 7))}${key.slice(-4)}` : "****";
      throw new ApiError(
        401,
        `Incorrect API key provided: ${masked}. You can find your API key at https://platform.openai.com/account/api-keys.`,
        "invalid_request_error",
        null,
        "invalid_api_key",
      );
    }
    const org = header(req, "openai-organization");
    if (org !== undefined && options.organizations && !options.organizations.includes(org)) {
      throw new ApiError(
        401,
        "OpenAI-Organization header should match organization for API key",
        "invalid_request_error",
        null,
        "mismatched_organization",
      );
    }
    if ((options.deniedKeys ?? []).includes(key)) {
      throw new ApiError(
        403,
        "You have insufficient permissions for this operation. Missing scopes: api.batch.write, api.model.request.",
        "invalid_request_error",
        null,
        "insufficient_permissions",
      );
    }
  };

  const route = (method: string, url: URL, body: ReadJson | undefined): unknown => {
    const path = url.pathname;
    if (method === "POST" && path === "/v1/batches") return createBatch(body);
    if (method === "GET" && path === "/v1/batches") return listBatches(url);
    const one = /^\/v1\/batches\/([^/]+)$/.exec(path);
    if (method === "GET" && one) return getBatch(decodeURIComponent(one[1] as string));
    const cancel = /^\/v1\/batches\/([^/]+)\/cancel$/.exec(path);
    if (method === "POST" && cancel) return cancelBatch(decodeURIComponent(cancel[1] as string));
    if (method === "POST" && path === "/v1/chat/completions") return chat(body);
    throw new ApiError(404, `Invalid URL (${method} ${path})`, "invalid_request_error");
  };

  const objectBody = (body: ReadJson | undefined): { [key: string]: ReadJson } => {
    if (body === null || body === undefined || typeof body !== "object" || Array.isArray(body) || body instanceof WrittenNumber) {
      throw invalid("The request body must be a JSON object.");
    }
    return body;
  };
  const requireString = (o: { [key: string]: ReadJson }, key: string): string => {
    const v = o[key];
    if (v === undefined) throw invalid(`Missing required parameter: '${key}'.`, key, "missing_required_parameter");
    if (typeof v !== "string")
      throw invalid(`Invalid type for '${key}': expected a string, but got ${kind(v)} instead.`, key, "invalid_type");
    return v;
  };
  const unknownKeys = (o: { [key: string]: ReadJson }, allowed: readonly string[]) => {
    const extra = Object.keys(o).find((k) => !allowed.includes(k));
    if (extra) throw invalid(`Unrecognized request argument supplied: ${extra}`, extra, "unknown_parameter");
  };

  const createBatch = (raw: ReadJson | undefined) => {
    const body = objectBody(raw);
    unknownKeys(body, BATCH_KEYS);
    const inputFileId = requireString(body, "input_file_id");
    const endpoint = requireString(body, "endpoint");
    const window = requireString(body, "completion_window");
    if (!ENDPOINTS.includes(endpoint))
      throw invalid(
        `Invalid value: '${endpoint}'. Supported values are: ${ENDPOINTS.map((e) => `'${e}'`).join(", ")}.`,
        "endpoint",
        "invalid_value",
      );
    if (window !== "24h")
      throw invalid(`Invalid value: '${window}'. Supported values are: '24h'.`, "completion_window", "invalid_value");
    const known = options.files ? options.files.includes(inputFileId) : inputFileId.startsWith("file-");
    if (!known) throw invalid(`Invalid 'input_file_id': '${inputFileId}'. File not found.`, "input_file_id", "invalid_value");
    const metadata = body.metadata === undefined || body.metadata === null ? null : checkMetadata(body.metadata);
    return newBatch({ input_file_id: inputFileId, endpoint, completion_window: window, metadata });
  };

  const checkMetadata = (m: ReadJson): Record<string, string> => {
    if (typeof m !== "object" || m === null || Array.isArray(m) || m instanceof WrittenNumber) {
      throw invalid(`Invalid type for 'metadata': expected an object, but got ${kind(m)} instead.`, "metadata", "invalid_type");
    }
    const entries = Object.entries(m);
    if (entries.length > 16)
      throw invalid(
        `Invalid 'metadata': too many properties. Expected an object with at most 16 properties, but got an object with ${entries.length} properties instead.`,
        "metadata",
        "object_above_max_properties",
      );
    const out: Record<string, string> = {};
    for (const [k, v] of entries) {
      if (k.length > 64)
        throw invalid(
          `Invalid 'metadata': string too long. Expected a string with maximum length 64, but got a string with length ${k.length} instead.`,
          "metadata",
          "string_above_max_length",
        );
      if (typeof v !== "string")
        throw invalid(
          `Invalid type for 'metadata.${k}': expected a string, but got ${kind(v)} instead.`,
          `metadata.${k}`,
          "invalid_type",
        );
      if (v.length > 512)
        throw invalid(
          `Invalid 'metadata.${k}': string too long. Expected a string with maximum length 512, but got a string with length ${v.length} instead.`,
          `metadata.${k}`,
          "string_above_max_length",
        );
      out[k] = v;
    }
    return out;
  };

  const listBatches = (url: URL) => {
    const limitText = url.searchParams.get("limit") ?? "20";
    const limit = Number(limitText);
    if (!/^\d+$/.test(limitText) || limit < 1 || limit > 100) {
      throw invalid(
        `Invalid 'limit': integer below minimum value or above maximum value. Expected a value between 1 and 100, but got ${limitText} instead.`,
        "limit",
        "invalid_value",
      );
    }
    const after = url.searchParams.get("after");
    const start = after ? batches.findIndex((b) => b.id === after) + 1 : 0;
    const data = batches.slice(start, start + limit);
    return {
      object: "list",
      data,
      first_id: data[0]?.id ?? null,
      last_id: data.at(-1)?.id ?? null,
      has_more: start + limit < batches.length,
    };
  };

  const findBatch = (id: string): FakeBatch => {
    const batch = batches.find((b) => b.id === id);
    if (!batch) throw new ApiError(404, `No batch found with id '${id}'.`, "invalid_request_error");
    return batch;
  };

  const getBatch = (id: string) => {
    const batch = findBatch(id);
    const answer = structuredClone(batch);
    // The batch moves on after each read, so a poller sees every status once.
    if (batch.status === "cancelling") setStatus(batch, "cancelled");
    else if (batch.status === "validating" || progression.includes(batch.status)) {
      const next = batch.status === "validating" ? progression[0] : progression[progression.indexOf(batch.status) + 1];
      if (next) setStatus(batch, next);
    }
    return answer;
  };

  const cancelBatch = (id: string) => {
    const batch = findBatch(id);
    if (!["validating", "in_progress", "finalizing"].includes(batch.status)) {
      throw new ApiError(409, `Cannot cancel a batch with status '${batch.status}'.`, "invalid_request_error");
    }
    setStatus(batch, "cancelling");
    return structuredClone(batch);
  };

  const chat = (raw: ReadJson | undefined) => {
    const body = objectBody(raw);
    unknownKeys(body, CHAT_KEYS);
    const model = requireString(body, "model");
    for (const key of CHAT_INTEGER_KEYS) {
      const v = body[key];
      if (v === undefined || v === null) continue;
      if (!(v instanceof WrittenNumber) || !v.integerLiteral) {
        throw invalid(
          `Invalid type for '${key}': expected an integer, but got ${v instanceof WrittenNumber ? "a decimal number" : kind(v)} instead.`,
          key,
          "invalid_type",
        );
      }
    }
    for (const key of CHAT_NUMBER_KEYS) {
      const v = body[key];
      if (v !== undefined && v !== null && !(v instanceof WrittenNumber))
        throw invalid(`Invalid type for '${key}': expected a number, but got ${kind(v)} instead.`, key, "invalid_type");
    }
    if (body.stream !== undefined && typeof body.stream !== "boolean")
      throw invalid(
        `Invalid type for 'stream': expected a boolean, but got ${kind(body.stream)} instead.`,
        "stream",
        "invalid_type",
      );
    const messages = body.messages;
    if (!Array.isArray(messages) || messages.length === 0)
      throw invalid("Invalid 'messages': empty array. Expected an array with minimum length 1.", "messages", "empty_array");
    let last = "";
    messages.forEach((m, i) => {
      if (typeof m !== "object" || m === null || Array.isArray(m) || m instanceof WrittenNumber)
        throw invalid(`Invalid type for 'messages[${i}]': expected an object.`, `messages[${i}]`, "invalid_type");
      if (typeof m.role !== "string" || !ROLES.includes(m.role))
        throw invalid(`Invalid value for 'messages[${i}].role'.`, `messages[${i}].role`, "invalid_value");
      if (typeof m.content !== "string")
        throw invalid(`Invalid type for 'messages[${i}].content': expected a string.`, `messages[${i}].content`, "invalid_type");
      if (m.role === "user") last = m.content;
    });
    const reply = options.chatReply ? options.chatReply(last) : `You said: ${last}`;
    const message =
      typeof reply === "string"
        ? { role: "assistant", content: reply, refusal: null }
        : "refusal" in reply
          ? { role: "assistant", content: null, refusal: reply.refusal }
          : { role: "assistant", content: null, refusal: null };
    const finish = typeof reply === "object" && "finishReason" in reply ? reply.finishReason : "stop";
    return {
      id: `chatcmpl-${randomBytes(8).toString("hex")}`,
      object: "chat.completion",
      created: now(),
      model,
      choices: [{ index: 0, message, logprobs: null, finish_reason: finish }],
      usage: { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 },
    };
  };

  const send = (res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}) => {
    const text = JSON.stringify(value);
    res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers });
    res.end(text);
  };
  const sendError = (res: ServerResponse, err: ApiError, headers: Record<string, string> = {}) =>
    send(res, err.status, { error: { message: err.message, type: err.type, param: err.param, code: err.code } }, headers);

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBody) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on("end", () => {
      void handle(req, res, tooLarge ? undefined : Buffer.concat(chunks).toString("utf8"), tooLarge);
    });
  });

  const handle = async (req: IncomingMessage, res: ServerResponse, text: string | undefined, tooLarge: boolean) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const method = req.method ?? "GET";
    let body: ReadJson | undefined;
    let parseError: string | undefined;
    if (method === "POST" && text !== undefined && text !== "") {
      try {
        body = readJson(text);
      } catch (err) {
        parseError = (err as Error).message;
      }
    }
    requests.push({
      method,
      path: url.pathname + url.search,
      authorization: header(req, "authorization"),
      organization: header(req, "openai-organization"),
      project: header(req, "openai-project"),
      body: body === undefined ? undefined : plain(body),
    });
    const fault = faults.find(
      (f) => f.left > 0 && (!f.path || url.pathname.startsWith(f.path)) && (!f.method || f.method === method),
    );
    if (fault) {
      fault.left--;
      if (fault.delayMs) {
        const delayMs = fault.delayMs;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            timers.delete(timer);
            resolve();
          }, delayMs);
          timers.add(timer);
        });
        if (closed) return;
      }
      if (fault.drop) {
        req.socket.destroy();
        return;
      }
      if (fault.status) {
        const err = new ApiError(
          fault.status,
          fault.status === 429 ? "Rate limit reached for requests" : "The server had an error while processing your request.",
          fault.status === 429 ? "requests" : "server_error",
        );
        sendError(res, err, fault.retryAfter ? { "retry-after": fault.retryAfter } : {});
        return;
      }
    }
    try {
      authenticate(req);
      if (tooLarge) throw new ApiError(413, "Request body too large.", "invalid_request_error");
      if (method === "POST" && text && !(header(req, "content-type") ?? "").startsWith("application/json")) {
        throw invalid("Content-Type must be application/json.");
      }
      if (parseError) throw invalid(`We could not parse the JSON body of your request. (${parseError})`);
      send(res, 200, route(method, url, body));
    } catch (err) {
      if (err instanceof ApiError) sendError(res, err);
      else send(res, 500, { error: { message: String(err), type: "server_error", param: null, code: null } });
    }
  };

  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/v1`,
    batches,
    requests,
    fail: (fault) => {
      faults.push({ ...fault, left: fault.times ?? 1 });
    },
    setStatus: (id, status) => setStatus(findBatch(id), status),
    addBatch: (fields) => newBatch(fields),
    close: () =>
      new Promise<void>((resolve) => {
        closed = true;
        for (const t of timers) clearTimeout(t);
        timers.clear();
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function kind(v: ReadJson | undefined): string {
  if (v === null) return "null";
  if (v instanceof WrittenNumber) return v.integerLiteral ? "an integer" : "a decimal number";
  if (Array.isArray(v)) return "an array";
  return typeof v === "object" ? "an object" : `a ${typeof v}`;
}
