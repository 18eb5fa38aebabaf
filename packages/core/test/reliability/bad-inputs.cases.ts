import { once } from "node:events";
import { status } from "@grpc/grpc-js";
import { FAKE_SECRET, type FaultyAgent } from "./fixtures/agents";
import { type CallOutcome, grpcFrame, http2Request, type RawClient } from "./fixtures/raw-client";
import {
  createTask,
  deleteTask,
  getAgent,
  getTask,
  getTaskByTaskType,
  getTaskMetrics,
  PATH,
  syncMessages,
} from "./fixtures/requests";

/** What a case can use: a client of the main server, one of a server with a 1 MiB limit, the faulty agent. */
export interface CaseContext {
  client: RawClient;
  smallLimitClient: RawClient;
  faulty: FaultyAgent;
  address: string;
}

/** One bad input and the status the server must answer with. */
export interface BadInputCase {
  name: string;
  send(ctx: CaseContext): Promise<CallOutcome>;
  code: status;
  /** What the status details must say. */
  details?: RegExp;
  /** What the details must never contain. */
  mustNotContain?: string[];
}

const MiB = 1024 * 1024;
const STRICT: [string, number] = ["rel_task", 1];
const FAULTY: [string, number] = ["rel_faulty", 0];
const GARBAGE = Buffer.from("GET / HTTP/1.1\r\nHost: x\r\n\r\n", "latin1");
/** Field 1 (length-delimited) claiming 255 bytes when one follows. */
const LENGTH_PAST_END = Buffer.from("0aff0141", "hex");
const half = (b: Buffer) => b.subarray(0, Math.floor(b.length / 2));
const validGet = getTask(STRICT, { jobId: "job-1", n: 1 });
/** A task type of 1 MiB. */
const HUGE_NAME = "t".repeat(MiB);

const get = (ctx: CaseContext, body: Buffer, deadlineMs?: number) => ctx.client.unary(PATH.get, body, { deadlineMs });
const create = (ctx: CaseContext, body: Buffer) => ctx.client.unary(PATH.create, body);
const faultyGet = (mode: string, deadlineMs?: number) => (ctx: CaseContext) => get(ctx, getTask(FAULTY, { mode }), deadlineMs);

/** Sends a raw HTTP/2 request and reports its gRPC status as a call outcome. */
async function http2Outcome(ctx: CaseContext, path: string, headers: Record<string, string>, body: Buffer): Promise<CallOutcome> {
  const res = await http2Request(ctx.address, path, headers, body);
  if (res.grpcStatus === undefined) return { code: status.UNKNOWN, details: `HTTP ${res.httpStatus} without grpc-status` };
  return { code: res.grpcStatus, details: res.grpcMessage ?? "" };
}
const GRPC_HEADERS = { "content-type": "application/grpc", te: "trailers" };

/** The table: at least 30 bad inputs, each with the status it must get. */
export const BAD_INPUTS: BadInputCase[] = [
  // Bytes that are not the message they claim to be.
  {
    name: "CreateTask: garbage bytes",
    send: (c) => create(c, GARBAGE),
    code: status.INVALID_ARGUMENT,
    details: /malformed CreateTaskRequest/,
  },
  {
    name: "GetTask: garbage bytes",
    send: (c) => get(c, GARBAGE),
    code: status.INVALID_ARGUMENT,
    details: /malformed GetTaskRequest/,
  },
  {
    name: "DeleteTask: garbage bytes",
    send: (c) => c.client.unary(PATH.delete, GARBAGE),
    code: status.INVALID_ARGUMENT,
    details: /malformed DeleteTaskRequest/,
  },
  {
    name: "GetTask: field length past the end",
    send: (c) => get(c, LENGTH_PAST_END),
    code: status.INVALID_ARGUMENT,
    details: /malformed GetTaskRequest/,
  },
  {
    name: "CreateTask: truncated protobuf",
    send: (c) => create(c, half(createTask(STRICT, { n: 1n, label: "x".repeat(100) }))),
    code: status.INVALID_ARGUMENT,
    details: /malformed CreateTaskRequest/,
  },
  {
    name: "GetTask: truncated protobuf",
    send: (c) => get(c, half(validGet)),
    code: status.INVALID_ARGUMENT,
    details: /malformed GetTaskRequest/,
  },
  {
    name: "ListAgents: garbage bytes",
    send: (c) => c.client.unary(PATH.listAgents, GARBAGE),
    code: status.INVALID_ARGUMENT,
    details: /malformed ListAgentsRequest/,
  },
  {
    name: "ExecuteTaskSync: garbage first message",
    send: (c) => c.client.stream(PATH.sync, [GARBAGE]),
    code: status.INVALID_ARGUMENT,
    details: /malformed ExecuteTaskSyncRequest/,
  },
  // gRPC framing that no well-behaved client sends.
  {
    name: "HTTP/2: gRPC frame shorter than its length prefix",
    send: (c) => http2Outcome(c, PATH.get, GRPC_HEADERS, grpcFrame(validGet, { declaredLength: validGet.length + 50 })),
    code: status.UNIMPLEMENTED,
    details: /Received no request message/,
  },
  {
    name: "HTTP/2: two request messages on a unary method",
    send: (c) => http2Outcome(c, PATH.get, GRPC_HEADERS, Buffer.concat([grpcFrame(validGet), grpcFrame(validGet)])),
    code: status.UNIMPLEMENTED,
    details: /second request message/,
  },
  {
    name: "HTTP/2: gzip flag on bytes that are not gzip",
    send: (c) =>
      http2Outcome(c, PATH.get, { ...GRPC_HEADERS, "grpc-encoding": "gzip" }, grpcFrame(validGet, { compressed: true })),
    code: status.INTERNAL,
    details: /Failed to decompress/,
  },
  {
    name: "HTTP/2: unsupported grpc-encoding",
    send: (c) => http2Outcome(c, PATH.get, { ...GRPC_HEADERS, "grpc-encoding": "br" }, grpcFrame(validGet, { compressed: true })),
    code: status.UNIMPLEMENTED,
    details: /unsupported encoding "br"/,
  },
  {
    name: "HTTP/2: malformed grpc-timeout",
    send: (c) => http2Outcome(c, PATH.get, { ...GRPC_HEADERS, "grpc-timeout": "soon" }, grpcFrame(validGet)),
    code: status.INTERNAL,
    details: /Invalid grpc-timeout/,
  },
  {
    name: "HTTP/2: not a gRPC content-type (HTTP 415)",
    send: (c) => http2Outcome(c, PATH.get, { "content-type": "text/plain" }, validGet),
    code: status.UNKNOWN,
    details: /HTTP 415/,
  },
  {
    name: "unknown method",
    send: (c) => c.client.unary("/flyteidl.service.AsyncAgentService/Nope", validGet),
    code: status.UNIMPLEMENTED,
  },
  // Routing.
  {
    name: "CreateTask: no template",
    send: (c) => create(c, createTask(undefined)),
    code: status.INVALID_ARGUMENT,
    details: /no task template/,
  },
  {
    name: "CreateTask: template without type",
    send: (c) => create(c, createTask(["", 0])),
    code: status.INVALID_ARGUMENT,
    details: /template has no type/,
  },
  {
    name: "CreateTask: unknown category",
    send: (c) => create(c, createTask(["no_such_task", 0])),
    code: status.NOT_FOUND,
    details: /no_such_task@0/,
  },
  {
    name: "CreateTask: known name, unknown version",
    send: (c) => create(c, createTask(["rel_task", 7], { n: 1n })),
    code: status.NOT_FOUND,
    details: /rel_task@7 \(versions served: 1\)/,
  },
  {
    name: "GetTask: unknown category",
    send: (c) => get(c, getTask(["no_such_task", 0], { jobId: "a", n: 1 })),
    code: status.NOT_FOUND,
    details: /no_such_task@0/,
  },
  {
    name: "GetTask: unknown version",
    send: (c) => get(c, getTask(["rel_task", 0], { jobId: "a", n: 1 })),
    code: status.NOT_FOUND,
    details: /rel_task@0/,
  },
  {
    name: "GetTask: neither task_category nor task_type",
    send: (c) => get(c, getTask(undefined, { jobId: "a", n: 1 })),
    code: status.INVALID_ARGUMENT,
    details: /neither task_category nor task_type/,
  },
  {
    name: "DeleteTask: unknown category",
    send: (c) => c.client.unary(PATH.delete, deleteTask(["gone", 3], { jobId: "a", n: 1 })),
    code: status.NOT_FOUND,
    details: /gone@3/,
  },
  {
    name: "CreateTask on a sync agent's category",
    send: (c) => create(c, createTask(["rel_sync", 0])),
    code: status.INVALID_ARGUMENT,
    details: /ExecuteTaskSync/,
  },
  {
    name: "ExecuteTaskSync on an async agent's category",
    send: (c) => c.client.stream(PATH.sync, syncMessages(STRICT, { n: 1n })),
    code: status.INVALID_ARGUMENT,
    details: /call CreateTask/,
  },
  {
    name: "ExecuteTaskSync: inputs before the header",
    send: (c) => c.client.stream(PATH.sync, syncMessages(["rel_sync", 0]).reverse()),
    code: status.INVALID_ARGUMENT,
    details: /first ExecuteTaskSync message must be the header/,
  },
  {
    name: "ExecuteTaskSync: stream closed with no message",
    send: (c) => c.client.stream(PATH.sync, []),
    code: status.INVALID_ARGUMENT,
    details: /ended without a header/,
  },
  {
    name: "GetAgent: empty name",
    send: (c) => c.client.unary(PATH.getAgent, getAgent("")),
    code: status.INVALID_ARGUMENT,
    details: /needs an agent name/,
  },
  {
    name: "GetAgent: unknown name",
    send: (c) => c.client.unary(PATH.getAgent, getAgent("Nobody")),
    code: status.NOT_FOUND,
    details: /Nobody/,
  },
  // Client values of 1 MiB: the answer quotes 200 characters of them, at once (a whole 1 MiB
  // echoed into grpc-message made the grpc-js client wait for its deadline).
  {
    name: "CreateTask: 1 MiB task type",
    send: (c) => c.client.unary(PATH.create, createTask([HUGE_NAME, 0])),
    code: status.NOT_FOUND,
    details: new RegExp(`^no agent serves task category t{200}… \\(${MiB} bytes\\)@0$`),
  },
  {
    name: "GetTask: 1 MiB task category name",
    send: (c) => get(c, getTask([HUGE_NAME, 0], { jobId: "a", n: 1 })),
    code: status.NOT_FOUND,
    details: new RegExp(`^no agent serves task category t{200}… \\(${MiB} bytes\\)@0$`),
  },
  {
    name: "GetTask: 1 MiB deprecated task_type",
    send: (c) => get(c, getTaskByTaskType(HUGE_NAME)),
    code: status.NOT_FOUND,
    details: new RegExp(`^no agent serves task category t{200}… \\(${MiB} bytes\\)@0$`),
  },
  {
    name: "GetAgent: 1 MiB name",
    send: (c) => c.client.unary(PATH.getAgent, getAgent("N".repeat(MiB))),
    code: status.NOT_FOUND,
    details: new RegExp(`^no agent named "N{200}… \\(${MiB} bytes\\)"$`),
  },
  {
    name: "GetTaskMetrics on an agent without metrics",
    send: (c) => c.client.unary(PATH.metrics, getTaskMetrics(STRICT, { jobId: "a", n: 1 })),
    code: status.UNIMPLEMENTED,
    details: /does not provide task metrics/,
  },
  // Inputs.
  {
    name: "CreateTask: required input missing",
    send: (c) => create(c, createTask(STRICT, {})),
    code: status.INVALID_ARGUMENT,
    details: /input "n" \(integer\) is required/,
  },
  {
    name: "CreateTask: input of the wrong type",
    send: (c) => create(c, createTask(STRICT, { n: "seven" })),
    code: status.INVALID_ARGUMENT,
    details: /"n" must be an integer, got string/,
  },
  {
    name: "CreateTask: optional input of the wrong type",
    send: (c) => create(c, createTask(STRICT, { n: 1n, label: 3.5 })),
    code: status.INVALID_ARGUMENT,
    details: /"label" must be a string, got number/,
  },
  {
    name: "CreateTask: 10 MiB input is accepted",
    send: (c) => create(c, createTask(STRICT, { n: 1n, label: "x".repeat(10 * MiB) })),
    code: status.OK,
  },
  {
    name: "ExecuteTaskSync: 10 MiB input is accepted",
    send: (c) => c.client.stream(PATH.sync, syncMessages(["rel_sync", 0], { blob: "y".repeat(10 * MiB) })),
    code: status.OK,
  },
  {
    name: "CreateTask over the server's receive limit",
    send: (c) => c.smallLimitClient.unary(PATH.create, createTask(STRICT, { n: 1n, label: "z".repeat(2 * MiB) })),
    code: status.RESOURCE_EXHAUSTED,
  },
  // resource_meta.
  {
    name: "GetTask: resource_meta is not JSON",
    send: (c) => get(c, getTask(STRICT, Buffer.from([0xde, 0xad, 0xbe, 0xef]))),
    code: status.INVALID_ARGUMENT,
    details: /not valid JSON/,
  },
  {
    name: "GetTask: resource_meta is empty",
    send: (c) => get(c, getTask(STRICT, Buffer.alloc(0))),
    code: status.INVALID_ARGUMENT,
    details: /resource_meta is empty/,
  },
  {
    name: "GetTask: resource_meta is a JSON array",
    send: (c) => get(c, getTask(STRICT, "[1,2]")),
    code: status.INVALID_ARGUMENT,
    details: /must be a JSON object/,
  },
  {
    name: "GetTask: resource_meta from another agent",
    send: (c) => get(c, getTask(STRICT, { run_id: 12, host: "x" })),
    code: status.INVALID_ARGUMENT,
    details: /missing field "jobId"/,
  },
  {
    name: "GetTask: resource_meta field of the wrong type",
    send: (c) => get(c, getTask(STRICT, { jobId: 5, n: 1 })),
    code: status.INVALID_ARGUMENT,
    details: /"jobId" must be a string, got number/,
  },
  {
    name: "GetTask: resource_meta too large (65 KiB)",
    send: (c) => get(c, getTask(STRICT, { jobId: "j".repeat(65 * 1024), n: 1 })),
    code: status.INVALID_ARGUMENT,
    details: /bytes; the limit is 65536/,
  },
  {
    name: "GetTask: 10 MiB resource_meta",
    send: (c) => get(c, getTask(STRICT, Buffer.alloc(10 * MiB, 0x20))),
    code: status.INVALID_ARGUMENT,
    details: /the limit is 65536/,
  },
  {
    name: "DeleteTask: resource_meta is not JSON",
    send: (c) => c.client.unary(PATH.delete, deleteTask(STRICT, "{jobId:")),
    code: status.INVALID_ARGUMENT,
    details: /not valid JSON/,
  },
  // Deadlines and cancellation.
  { name: "GetTask with a 1 ms deadline on a busy agent", send: faultyGet("hang", 1), code: status.DEADLINE_EXCEEDED },
  {
    name: "CreateTask of 10 MiB with a 1 ms deadline",
    send: (c) => c.client.unary(PATH.create, createTask(STRICT, { n: 1n, label: "d".repeat(10 * MiB) }), { deadlineMs: 1 }),
    code: status.DEADLINE_EXCEEDED,
  },
  {
    name: "client cancels mid-call (the agent sees the abort)",
    send: async (c) => {
      const aborted = once(c.faulty.events, "aborted");
      const started = once(c.faulty.events, "started");
      const outcome = await c.client.unary(PATH.get, getTask(FAULTY, { mode: "hang" }), { cancelWhen: started });
      await aborted;
      return outcome;
    },
    code: status.CANCELLED,
  },
  // Plugins that misbehave.
  {
    name: "plugin throws an Error",
    send: faultyGet("throw"),
    code: status.INTERNAL,
    details: /agent "Faulty Agent" failed to get rel_faulty@0: backend exploded$/,
    mustNotContain: ["internal frame"],
  },
  { name: "plugin throws a string", send: faultyGet("throw-string"), code: status.INTERNAL, details: /a bare string/ },
  { name: "plugin throws undefined", send: faultyGet("throw-undefined"), code: status.INTERNAL, details: /unknown error/ },
  {
    name: "plugin throws an AgentError with its own code",
    send: faultyGet("throw-code"),
    code: status.FAILED_PRECONDITION,
    details: /cluster is paused/,
  },
  {
    name: "plugin error carrying a secret is redacted",
    send: faultyGet("throw-secret"),
    code: status.INTERNAL,
    details: /\[REDACTED\]/,
    mustNotContain: [FAKE_SECRET],
  },
  { name: "plugin hangs past the deadline", send: faultyGet("hang", 300), code: status.DEADLINE_EXCEEDED },
  { name: "plugin rejects after the deadline", send: faultyGet("reject-late", 200), code: status.DEADLINE_EXCEEDED },
  {
    name: "plugin returns phase 42",
    send: faultyGet("invalid-phase"),
    code: status.INTERNAL,
    details: /invalid Resource: phase must be/,
  },
  {
    name: "plugin returns phase UNDEFINED",
    send: faultyGet("undefined-phase"),
    code: status.INTERNAL,
    details: /invalid Resource/,
  },
  {
    name: "plugin returns null",
    send: faultyGet("null"),
    code: status.INTERNAL,
    details: /expected a Resource object, got null/,
  },
  {
    name: "plugin returns a log link without uri",
    send: faultyGet("bad-log-link"),
    code: status.INTERNAL,
    details: /log link needs a string name and uri/,
  },
  {
    name: "plugin returns outputs that are not a LiteralMap",
    send: faultyGet("bad-outputs"),
    code: status.INTERNAL,
    details: /outputs must be a LiteralMap/,
  },
  {
    name: "plugin create returns meta that cannot be encoded",
    send: (c) => create(c, createTask(FAULTY, { mode: "unencodable-meta" })),
    code: status.INTERNAL,
    details: /failed to create rel_faulty@0/,
  },
  {
    name: "sync plugin returns a non-terminal phase",
    send: (c) => c.client.stream(PATH.sync, syncMessages(["rel_sync", 0], { mode: "running" })),
    code: status.INTERNAL,
    details: /must return a terminal phase/,
  },
];
