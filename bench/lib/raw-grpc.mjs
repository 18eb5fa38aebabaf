// A grpc-js client that sends pre-encoded request bytes, and the health check poll.
import { setTimeout as delay } from "node:timers/promises";
import { grpc } from "./repo.mjs";

const identity = (b) => b;

/** Opens a raw client to `address` (host:port). */
export function rawClient(address, options = {}) {
  return new grpc.Client(address, grpc.credentials.createInsecure(), {
    "grpc.max_send_message_length": -1,
    "grpc.max_receive_message_length": -1,
    ...options,
  });
}

/** One unary call with raw bytes; resolves {code, details, reply, ms}, never rejects. */
export function unary(client, path, body, deadlineMs = 10_000) {
  const started = process.hrtime.bigint();
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      path,
      identity,
      identity,
      body,
      new grpc.Metadata(),
      { deadline: Date.now() + deadlineMs },
      (err, reply) => {
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        if (err) resolve({ code: err.code, details: err.details, ms });
        else resolve({ code: 0, details: "", reply, ms });
      },
    );
  });
}

/** grpc.health.v1.Health/Check of the whole server: "SERVING", "NOT_SERVING", or an error text. */
export async function healthCheck(client, deadlineMs = 1000) {
  const out = await unary(client, "/grpc.health.v1.Health/Check", Buffer.alloc(0), deadlineMs);
  if (out.code !== 0) return `error ${out.code}: ${out.details}`;
  const value = out.reply.length >= 2 && out.reply[0] === 0x08 ? out.reply[1] : 0;
  return ["UNKNOWN", "SERVING", "NOT_SERVING"][value] ?? `status ${value}`;
}

/**
 * Polls health until SERVING (new connection attempts every few ms, no reconnect backoff).
 * @returns the time SERVING was first seen (performance.now()).
 */
export async function waitServing(address, { timeoutMs = 15_000, child } = {}) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (child && (child.exitCode !== null || child.signalCode !== null)) {
      throw new Error(`server exited (${child.exitCode ?? child.signalCode}) before it was SERVING`);
    }
    const client = rawClient(address, { "grpc.initial_reconnect_backoff_ms": 5, "grpc.max_reconnect_backoff_ms": 5 });
    const state = await healthCheck(client, 200);
    client.close();
    if (state === "SERVING") return performance.now();
    if (Date.now() > until) throw new Error(`no SERVING from ${address} within ${timeoutMs} ms (last: ${state})`);
    await delay(2);
  }
}
