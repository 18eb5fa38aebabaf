// What one call of each operation costs the full server: CPU time (utime + stime from /proc) and
// V8 heap bytes allocated per call, over exactly `requests` calls after a warm-up (closed loop,
// 4 connections x 8 streams). The numbers come from outside the server's code: a module
// preloaded with --require (bench/probes/cost-probe.cjs) reports allocated bytes on SIGUSR2.
// The bare grpc-js baseline is measured the same way for the task operations it serves.
// GetTask and CreateTask also get a flyteidl2 row each (`GetTask v2`, same task, same server)
// when the server serves flyteidl2, so the per-call cost of the two protocols sits side by side.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { agentNamesOf, deleteTaskBytes, getAgentBytes, PATHS, resourceMetaOf, writeGrpcFrame } from "../lib/frames.mjs";
import { h2load } from "../lib/h2load.mjs";
import { cpuSeconds } from "../lib/proc.mjs";
import { rawClient, unary } from "../lib/raw-grpc.mjs";
import { BENCH_DIR } from "../lib/repo.mjs";
import { requestCounters, startBareServer, startFullServer } from "../lib/servers.mjs";
import { round } from "../lib/stats.mjs";
import { PATHS_V2 } from "../lib/frames-v2.mjs";
import { prepareCustomTaskBodies } from "./prepare.mjs";
import { prepareV2Bodies } from "./protocols.mjs";

const PROBE = join(BENCH_DIR, "probes", "cost-probe.cjs");

/** Asks the preloaded probe for a snapshot and waits until it has written a new one. */
async function probe(server, last = 0) {
  server.child.kill("SIGUSR2");
  const until = Date.now() + 10_000;
  for (;;) {
    try {
      const snap = JSON.parse(readFileSync(server.probeFile, "utf8"));
      if (snap.seq > last) return snap;
    } catch {
      // not written yet, or being written
    }
    if (Date.now() > until) throw new Error(`the cost probe of the ${server.kind} server did not answer`);
    await delay(5);
  }
}

async function expectOk(server, path, body, operation) {
  const client = rawClient(server.address);
  try {
    const out = await unary(client, path, body);
    if (out.code !== 0) throw new Error(`${operation} on the ${server.kind} server failed: ${out.code} ${out.details}`);
    return out.reply;
  } finally {
    client.close();
  }
}

/** The flyteidl2 twin of GetTask (`op` "get") or CreateTask ("create"), or none when v2 is not served. */
function v2Operations(v2, op) {
  if (!v2.served) return [];
  const operation = op === "get" ? "GetTask v2" : "CreateTask v2";
  return [{ operation, path: PATHS_V2[op], body: v2[op], bare: false }];
}

/** Measures `requests` calls of each operation; returns one row per operation. */
export async function costSection({ plugin, tmpDir, requests, warmup = Math.max(500, requests / 5), log }) {
  const probeEnv = (kind) => ({ BENCH_PROBE_FILE: join(tmpDir, `cost-probe-${kind}.json`) });
  const full = await startFullServer({
    pluginArgs: plugin.args,
    nodeArgs: ["--require", PROBE],
    env: probeEnv("full"),
  });
  const bare = await startBareServer({ nodeArgs: ["--require", PROBE], env: probeEnv("bare") });
  full.probeFile = probeEnv("full").BENCH_PROBE_FILE;
  bare.probeFile = probeEnv("bare").BENCH_PROBE_FILE;
  const rows = [];
  try {
    const bodies = await prepareCustomTaskBodies(full, tmpDir);
    const v2 = await prepareV2Bodies(full, bodies, tmpDir);
    if (!v2.served) log(`  v2 not served (${v2.reason}): no v2 rows`);
    const meta = resourceMetaOf(await expectOk(full, PATHS.create, bodies.create, "CreateTask"));
    const [agentName] = agentNamesOf(await expectOk(full, PATHS.listAgents, Buffer.alloc(0), "ListAgents"));
    const operations = [
      { operation: "GetTask", path: PATHS.get, body: bodies.get, bare: true },
      ...v2Operations(v2, "get"),
      { operation: "CreateTask", path: PATHS.create, body: bodies.create, bare: true },
      ...v2Operations(v2, "create"),
      {
        operation: "DeleteTask",
        path: PATHS.delete,
        body: deleteTaskBytes({ type: "custom_task", resourceMeta: meta }),
        bare: true,
      },
      { operation: "ListAgents", path: PATHS.listAgents, body: Buffer.alloc(0), bare: false },
      { operation: "GetAgent", path: PATHS.getAgent, body: getAgentBytes(agentName), bare: false },
    ];
    const seq = { full: 0, bare: 0 };
    for (const op of operations) {
      const servers = op.bare ? [full, bare] : [full];
      const frame = writeGrpcFrame(join(tmpDir, `cost-${op.operation}.grpc`), op.body);
      const row = { operation: op.operation, requests };
      for (const server of servers) {
        await expectOk(server, op.path, op.body, op.operation);
        const load = (n) =>
          h2load({
            address: server.address,
            path: op.path,
            bodyFile: frame,
            clients: 4,
            streams: 8,
            requests: n,
            logFile: join(tmpDir, "h2load-cost.log"),
          });
        await load(warmup);
        const failures0 = server === full ? (await requestCounters(full.metricsPort)).failure : 0;
        const before = await probe(server, seq[server.kind]);
        const cpu0 = cpuSeconds(server.child.pid);
        const res = await load(requests);
        const cpu1 = cpuSeconds(server.child.pid);
        const after = await probe(server, before.seq);
        seq[server.kind] = after.seq;
        const failures = server === full ? (await requestCounters(full.metricsPort)).failure - failures0 : 0;
        row[server.kind] = {
          cpuMicrosPerCall: round(((cpu1 - cpu0) * 1e6) / requests, 1),
          allocatedBytesPerCall: Math.round((after.allocatedBytes - before.allocatedBytes) / requests),
          collectionsPer1000: round(((after.collections - before.collections) * 1000) / requests, 2),
          promotedBytesPerCall: Math.round((after.promotedBytes - before.promotedBytes) / requests),
          rps: round(res.rps, 0),
          errors: failures + res.failed + res.errored,
        };
        const r = row[server.kind];
        log(
          `  ${op.operation} ${server.kind}: ${r.cpuMicrosPerCall} µs CPU, ${r.allocatedBytesPerCall} B allocated per call, ` +
            `${r.promotedBytesPerCall} B of it promoted (${r.collectionsPer1000} GCs per 1,000 calls, ${r.rps} req/s, ${r.errors} errors)`,
        );
      }
      rows.push(row);
    }
  } finally {
    await Promise.all([full.stop(), bare.stop()]);
  }
  return rows;
}
