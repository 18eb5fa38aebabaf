import { createPublicKey, type KeyObject, randomBytes } from "node:crypto";
import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { verifyKeyPairJwt } from "./jwt-verifier";

/** One step of a statement's scripted life: what `GET /api/v2/statements/{handle}` answers. */
export interface FakeStatementStep {
  /** `queued`/`running`: 202; `success`: 200; `failed`/`aborted`: 422. */
  state: "queued" | "running" | "success" | "failed" | "aborted";
  /** Snowflake's message (a default per state otherwise). */
  message?: string;
  /** SQL state of a failure. @default "42000" */
  sqlState?: string;
  /** Snowflake error code of a failure. @default "001003" */
  code?: string;
  /** Rows reported by a success. @default 1 */
  numRows?: number;
}

/** Options of {@link startFakeSnowflake}. */
export interface FakeSnowflakeOptions {
  /** The public key registered on the user (PEM, or a key object; a private key works too). */
  publicKey: string | KeyObject;
  /** Account part the JWTs must name, e.g. `MYORG-MYACCOUNT`. */
  account: string;
  /** User the JWTs must name. */
  user: string;
  /** Delay added before every answer, in ms. @default 0 */
  latencyMs?: number;
  /**
   * The steps of a new statement, chosen by its text: every status read answers the current
   * step and moves to the next; the last step repeats.
   * @default running, then success
   */
  stepsFor?: (statement: string) => readonly FakeStatementStep[];
  /** Interface to listen on. @default "127.0.0.1" */
  host?: string;
  /** Port to listen on. @default 0 (a free port) */
  port?: number;
}

/** A fault answered instead of the real reply (see {@link FakeSnowflake.failNext}). */
export interface FakeFault {
  /** HTTP status to answer (429, 500, 503, 401, 403...). Ignored with `drop`. @default 500 */
  status?: number;
  /** `Retry-After` header value (with 429). */
  retryAfter?: string;
  /** JSON body. @default a Snowflake-style `{code, message}` */
  body?: { [key: string]: unknown };
  /** Close the connection without answering (a network error). @default false */
  drop?: boolean;
  /** How many requests get this fault. @default 1 */
  times?: number;
}

/** Which requests a fault applies to. */
export type FakeRoute = "submit" | "status" | "cancel" | "any";

/** A statement the fake knows. */
export interface FakeStatement {
  readonly handle: string;
  readonly requestId: string;
  /** The `POST /api/v2/statements` body as received. */
  readonly request: { [key: string]: unknown };
  /** The steps still to come (the first is answered next). */
  steps: FakeStatementStep[];
  /** Times it was submitted (with its request id). */
  submissions: number;
  /** Times `cancel` was called for it. */
  cancelCalls: number;
}

/** Counters of what the fake received. */
export interface FakeSnowflakeStats {
  /** TCP connections accepted. */
  connections: number;
  /** HTTP requests received, faults included. */
  requests: number;
  /** Submissions answered with a handle (repeats of a request id included). */
  submits: number;
  /** Status reads answered. */
  statuses: number;
  /** Cancels answered. */
  cancels: number;
  /** Requests refused for a missing, wrong or expired JWT. */
  unauthorized: number;
}

/** A running fake Snowflake SQL API v2. */
export interface FakeSnowflake {
  /** Base URL, e.g. `http://127.0.0.1:43123` (set it as FLYTE_SNOWFLAKE_ENDPOINT). */
  readonly url: string;
  readonly port: number;
  readonly stats: FakeSnowflakeStats;
  /** Statements by handle. */
  readonly statements: ReadonlyMap<string, FakeStatement>;
  /** Distinct JWTs accepted so far (a cached token shows up once). */
  readonly tokensSeen: ReadonlySet<string>;
  /** Why the last refused JWT was refused (for test messages). */
  readonly lastAuthFailure: string | undefined;
  /** Answers the next matching request(s) with a fault instead. */
  failNext(route: FakeRoute, fault: FakeFault): void;
  /** Replaces the steps still to come of a statement. */
  setSteps(handle: string, steps: readonly FakeStatementStep[]): void;
  /** Stops listening and closes every connection. */
  close(): Promise<void>;
}

const DEFAULT_STEPS: readonly FakeStatementStep[] = [{ state: "running" }, { state: "success" }];
const BINDING_TYPES = new Set([
  "FIXED",
  "REAL",
  "TEXT",
  "BOOLEAN",
  "DATE",
  "TIME",
  "TIMESTAMP_NTZ",
  "TIMESTAMP_LTZ",
  "TIMESTAMP_TZ",
  "BINARY",
]);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const IN_PROGRESS = "Asynchronous execution in progress. Use provided query id to perform query monitoring and management.";

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** A query id in Snowflake's shape (8-4-4-4-12 hex). */
function newHandle(): string {
  const hex = `01b${randomBytes(15).toString("hex")}`.slice(0, 32);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Counts `?` placeholders outside quoted strings and identifiers. */
function countPlaceholders(sql: string): number {
  let count = 0;
  let quote: string | undefined;
  for (const ch of sql) {
    if (quote) {
      if (ch === quote) quote = undefined;
    } else if (ch === "'" || ch === '"') quote = ch;
    else if (ch === "?") count += 1;
  }
  return count;
}

/**
 * Starts a fake Snowflake SQL API v2 on 127.0.0.1: asynchronous submission (idempotent by
 * `requestId`), status reads following a scripted life per statement, cancel, key-pair JWT
 * verification against the configured public key (401 otherwise), binding checks, and
 * injectable faults (429 with Retry-After, 5xx, 401/403, dropped connections) and latency.
 */
export async function startFakeSnowflake(options: FakeSnowflakeOptions): Promise<FakeSnowflake> {
  const given = options.publicKey;
  const publicKey = typeof given !== "string" && given.type === "public" ? given : createPublicKey(given);
  const latencyMs = options.latencyMs ?? 0;
  const stepsFor = options.stepsFor ?? (() => DEFAULT_STEPS);
  const stats: FakeSnowflakeStats = { connections: 0, requests: 0, submits: 0, statuses: 0, cancels: 0, unauthorized: 0 };
  const statements = new Map<string, FakeStatement>();
  const byRequestId = new Map<string, string>();
  const tokensSeen = new Set<string>();
  const faults: Array<{ route: FakeRoute; fault: FakeFault; left: number }> = [];
  let lastAuthFailure: string | undefined;

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text), ...headers });
    res.end(text);
  };
  const error = (res: ServerResponse, status: number, code: string, message: string, extra: object = {}) =>
    send(res, status, { code, message, ...extra });

  const takeFault = (route: FakeRoute): FakeFault | undefined => {
    const i = faults.findIndex((f) => f.route === "any" || f.route === route);
    if (i < 0) return undefined;
    const entry = faults[i]!;
    entry.left -= 1;
    if (entry.left <= 0) faults.splice(i, 1);
    return entry.fault;
  };

  const statusUrl = (handle: string) => `/api/v2/statements/${handle}`;
  const accepted = (res: ServerResponse, statement: FakeStatement) =>
    send(res, 202, {
      code: "333334",
      message: IN_PROGRESS,
      statementHandle: statement.handle,
      statementStatusUrl: statusUrl(statement.handle),
    });

  const submit = (res: ServerResponse, url: URL, raw: string) => {
    const requestId = url.searchParams.get("requestId") ?? "";
    if (!UUID.test(requestId)) return error(res, 400, "391902", "requestId must be a UUID");
    if (url.searchParams.get("async") !== "true")
      return error(res, 400, "391903", "this fake runs statements with async=true only");
    let body: { [key: string]: unknown };
    try {
      body = JSON.parse(raw) as { [key: string]: unknown };
    } catch {
      return error(res, 400, "391900", "Unable to parse JSON in the request body");
    }
    const known = byRequestId.get(requestId);
    if (known) {
      stats.submits += 1;
      const statement = statements.get(known)!;
      statement.submissions += 1;
      return accepted(res, statement);
    }
    if (typeof body.statement !== "string" || body.statement.trim() === "") {
      return error(res, 422, "000900", "SQL compilation error: Empty SQL statement.", { sqlState: "42000" });
    }
    const bindings = (body.bindings ?? {}) as { [key: string]: { type?: unknown; value?: unknown } };
    const positions = Object.keys(bindings);
    if (positions.length !== countPlaceholders(body.statement)) {
      return error(
        res,
        422,
        "002049",
        `Bind variable count mismatch: ${positions.length} bindings for ${countPlaceholders(body.statement)} placeholders`,
        {
          sqlState: "07001",
        },
      );
    }
    for (const [position, binding] of Object.entries(bindings)) {
      if (!/^[1-9]\d*$/.test(position) || Number(position) > positions.length) {
        return error(res, 400, "391904", `binding key ${position} is not a position from 1 to ${positions.length}`);
      }
      if (typeof binding?.type !== "string" || !BINDING_TYPES.has(binding.type)) {
        return error(res, 400, "391905", `binding ${position} has the unsupported type ${String(binding?.type)}`);
      }
      if (binding.value !== null && typeof binding.value !== "string") {
        return error(res, 400, "391906", `binding ${position} value must be a string or null`);
      }
    }
    stats.submits += 1;
    const handle = newHandle();
    const steps = [...stepsFor(body.statement)];
    if (steps.length === 0) throw new RangeError("stepsFor must return at least one step");
    const statement: FakeStatement = { handle, requestId, request: body, steps, submissions: 1, cancelCalls: 0 };
    statements.set(handle, statement);
    byRequestId.set(requestId, handle);
    accepted(res, statement);
  };

  const status = (res: ServerResponse, handle: string) => {
    const statement = statements.get(handle);
    if (!statement) return error(res, 404, "000709", `Statement ${handle} not found`, { sqlState: "02000" });
    stats.statuses += 1;
    const step = statement.steps.length > 1 ? statement.steps.shift()! : statement.steps[0]!;
    const common = { statementHandle: handle, statementStatusUrl: statusUrl(handle) };
    switch (step.state) {
      case "queued":
        return send(res, 202, { ...common, code: "333334", message: step.message ?? "Statement is queued: warehouse is busy." });
      case "running":
        return send(res, 202, { ...common, code: "333334", message: step.message ?? IN_PROGRESS });
      case "success":
        return send(res, 200, {
          ...common,
          code: "090001",
          sqlState: "00000",
          message: step.message ?? "Statement executed successfully.",
          createdOn: Date.now(),
          resultSetMetaData: { numRows: step.numRows ?? 1, format: "jsonv2", rowType: [{ name: "RESULT", type: "fixed" }] },
          data: [["1"]],
        });
      case "failed":
        return send(res, 422, {
          ...common,
          code: step.code ?? "001003",
          sqlState: step.sqlState ?? "42000",
          message: step.message ?? "SQL compilation error: syntax error line 1 at position 0 unexpected 'SELEC'.",
        });
      case "aborted":
        return send(res, 422, {
          ...common,
          code: "000604",
          sqlState: "57014",
          message: step.message ?? "SQL execution canceled",
        });
    }
  };

  const cancel = (res: ServerResponse, handle: string) => {
    const statement = statements.get(handle);
    if (!statement) return error(res, 404, "000709", `Statement ${handle} not found`, { sqlState: "02000" });
    stats.cancels += 1;
    statement.cancelCalls += 1;
    const current = statement.steps[0]?.state;
    if (current !== "success" && current !== "failed") statement.steps = [{ state: "aborted" }];
    send(res, 200, { code: "000604", sqlState: "57014", message: "Statement cancelled.", statementHandle: handle });
  };

  let baseUrl = "";
  const server: Server = createServer((req, res) => {
    stats.requests += 1;
    const handle = async () => {
      const raw = await readBody(req);
      if (latencyMs > 0) await new Promise((r) => setTimeout(r, latencyMs).unref());
      const url = new URL(req.url ?? "/", baseUrl);
      const match = /^\/api\/v2\/statements(?:\/([^/]+)(\/cancel)?)?\/?$/.exec(url.pathname);
      let route: Exclude<FakeRoute, "any"> | undefined;
      if (match && !match[1] && req.method === "POST") route = "submit";
      else if (match?.[1] && !match[2] && req.method === "GET") route = "status";
      else if (match?.[1] && match[2] && req.method === "POST") route = "cancel";
      if (!route) return error(res, 404, "390404", `No API found for '${req.method} ${url.pathname}'`);
      const fault = takeFault(route);
      if (fault?.drop) {
        req.socket.destroy();
        return;
      }
      if (fault) {
        const code = fault.status ?? 500;
        const body = fault.body ?? { code: code === 429 ? "390211" : "390100", message: `injected HTTP ${code}` };
        return send(res, code, body, fault.retryAfter !== undefined ? { "Retry-After": fault.retryAfter } : {});
      }
      const auth = req.headers.authorization ?? "";
      const check = auth.startsWith("Bearer ")
        ? verifyKeyPairJwt(auth.slice(7), { account: options.account, user: options.user, publicKey })
        : ({ ok: false, reason: "no Bearer token" } as const);
      if (req.headers["x-snowflake-authorization-token-type"] !== "KEYPAIR_JWT" || !check.ok) {
        stats.unauthorized += 1;
        lastAuthFailure = check.ok ? "missing X-Snowflake-Authorization-Token-Type: KEYPAIR_JWT" : check.reason;
        return error(res, 401, "390144", "JWT token is invalid.");
      }
      tokensSeen.add(auth.slice(7));
      if (req.method === "POST" && !String(req.headers["content-type"] ?? "").startsWith("application/json")) {
        return error(res, 415, "391901", "Content-Type must be application/json");
      }
      if (route === "submit") return submit(res, url, raw);
      if (route === "status") return status(res, decodeURIComponent(match![1]!));
      return cancel(res, decodeURIComponent(match![1]!));
    };
    handle().catch((err: unknown) => {
      if (!res.headersSent) error(res, 500, "390100", err instanceof Error ? err.message : "fake failed");
    });
  });
  server.keepAliveTimeout = 60_000;
  server.on("connection", () => {
    stats.connections += 1;
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const { port, address } = server.address() as AddressInfo;
  baseUrl = `http://${address.includes(":") ? `[${address}]` : address}:${port}`;

  return {
    url: baseUrl,
    port,
    stats,
    statements,
    tokensSeen,
    get lastAuthFailure() {
      return lastAuthFailure;
    },
    failNext(route, fault) {
      faults.push({ route, fault, left: fault.times ?? 1 });
    },
    setSteps(handle, steps) {
      const statement = statements.get(handle);
      if (!statement) throw new Error(`no statement ${handle}`);
      if (steps.length === 0) throw new RangeError("steps must have at least one step");
      statement.steps = [...steps];
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
