// A load-generating client process (fork()ed by the bench): one grpc-js channel, like one
// propeller. Receives a job over IPC and replies with its results:
//   {mode: "closed", address, path, bodiesFile, concurrency}  send every body once, `concurrency` in flight;
//                                                             replies {replies (base64), codes, latencies}
//   {mode: "rate", address, path, bodiesFile, rate, seconds}  open loop: `rate` calls/s cycling through
//                                                             the bodies; replies {sent, codes, latencies}
// Both replies also carry cpuMicros, the client's CPU time during the job.
// Bodies file: each request as a 4-byte big-endian length then its bytes.
import { readFileSync } from "node:fs";
import { unary as call } from "../lib/raw-grpc.mjs";
import { grpc } from "../lib/repo.mjs";

function readBodies(file) {
  const buf = readFileSync(file);
  const out = [];
  for (let off = 0; off < buf.length; ) {
    const len = buf.readUInt32BE(off);
    out.push(buf.subarray(off + 4, off + 4 + len));
    off += 4 + len;
  }
  return out;
}

async function closedLoop(client, job, bodies) {
  const replies = new Array(bodies.length);
  const latencies = new Float64Array(bodies.length);
  const codes = {};
  let next = 0;
  const worker = async () => {
    while (next < bodies.length) {
      const i = next++;
      const r = await call(client, job.path, bodies[i], 30_000);
      latencies[i] = r.ms;
      codes[r.code] = (codes[r.code] ?? 0) + 1;
      if (r.code !== 0 && !codes.firstError) codes.firstError = r.details;
      replies[i] = r.reply ? r.reply.toString("base64") : "";
    }
  };
  await Promise.all(Array.from({ length: job.concurrency }, worker));
  return { replies, codes, latencies: Array.from(latencies) };
}

async function openLoop(client, job, bodies) {
  const total = Math.round(job.rate * job.seconds);
  const latencies = new Float64Array(total);
  const codes = {};
  let sent = 0;
  let done = 0;
  const start = performance.now();
  await new Promise((resolve) => {
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * job.rate));
      while (sent < due) {
        const i = sent++;
        call(client, job.path, bodies[i % bodies.length], 10_000).then((r) => {
          latencies[i] = r.ms;
          codes[r.code] = (codes[r.code] ?? 0) + 1;
          if (r.code !== 0 && !codes.firstError) codes.firstError = r.details;
          if (++done === total) resolve();
        });
      }
      if (sent < total) setTimeout(tick, 1);
    };
    tick();
  });
  return { sent, seconds: (performance.now() - start) / 1000, codes, latencies: Array.from(latencies) };
}

process.once("message", async (job) => {
  const client = new grpc.Client(job.address, grpc.credentials.createInsecure());
  const bodies = readBodies(job.bodiesFile);
  const cpu0 = process.cpuUsage();
  const result = job.mode === "closed" ? await closedLoop(client, job, bodies) : await openLoop(client, job, bodies);
  const cpu = process.cpuUsage(cpu0);
  result.cpuMicros = cpu.user + cpu.system; // this client's own CPU time during the job
  client.close();
  process.send(result, () => process.exit(0));
});
