// GetTask and CreateTask over both wire protocols on the same full server: flyteidl 1
// (`/flyteidl.service.AsyncAgentService/...`, what FlytePropeller 1.x sends) against flyteidl2
// (`/flyteidl2.connector.AsyncConnectorService/...`, what the Flyte 2 executor sends), the same
// task and the same h2load settings, runs alternating between the protocols (and which goes
// first), medians.
// A server that does not serve flyteidl2 (UNIMPLEMENTED) is reported as "v2 not served".
import { join } from "node:path";
import { PATHS } from "../lib/frames.mjs";
import { createTaskBytesV2, getTaskBytesV2, PATHS_V2, resourceMetaOfV2, resourceOfV2 } from "../lib/frames-v2.mjs";
import { writeGrpcFrame } from "../lib/frames.mjs";
import { h2load } from "../lib/h2load.mjs";
import { rawClient, unary } from "../lib/raw-grpc.mjs";
import { grpc } from "../lib/repo.mjs";
import { requestCounters, startFullServer } from "../lib/servers.mjs";
import { median, round } from "../lib/stats.mjs";
import { prepareCustomTaskBodies } from "./prepare.mjs";

/**
 * The flyteidl2 bodies for the v1 ones, checked against the server.
 * @returns the bodies and frame files, or `{ served: false, reason }` when the server answers UNIMPLEMENTED
 */
export async function prepareV2Bodies(server, v1Bodies, tmpDir) {
  const create = createTaskBytesV2(v1Bodies.create);
  const client = rawClient(server.address);
  try {
    const created = await unary(client, PATHS_V2.create, create);
    if (created.code === grpc.status.UNIMPLEMENTED) return { served: false, reason: `UNIMPLEMENTED: ${created.details}` };
    if (created.code !== 0) throw new Error(`v2 CreateTask on the full server failed: ${created.code} ${created.details}`);
    const get = getTaskBytesV2({ type: "custom_task", version: 0, resourceMeta: resourceMetaOfV2(created.reply) });
    const got = await unary(client, PATHS_V2.get, get);
    if (got.code !== 0) throw new Error(`v2 GetTask on the full server failed: ${got.code} ${got.details}`);
    return {
      served: true,
      create,
      get,
      phase: resourceOfV2(got.reply)?.phase,
      createFile: writeGrpcFrame(join(tmpDir, "create-v2.grpc"), create),
      getFile: writeGrpcFrame(join(tmpDir, "get-v2.grpc"), get),
    };
  } finally {
    client.close();
  }
}

/**
 * Runs the protocol comparison.
 * @returns {{served: boolean, reason?: string, operations: object[]}}
 */
export async function protocolsSection({ plugin, tmpDir, runs, durationS, clients = 8, streams = 16, log }) {
  const full = await startFullServer({ pluginArgs: plugin.args });
  try {
    const v1 = await prepareCustomTaskBodies(full, tmpDir);
    const v2 = await prepareV2Bodies(full, v1, tmpDir);
    if (!v2.served) {
      log(`  v2 not served (${v2.reason}): only v1 can be measured`);
      return { served: false, reason: v2.reason, operations: [] };
    }
    const protocols = [
      { protocol: "v1", paths: PATHS, bodies: v1 },
      { protocol: "v2", paths: PATHS_V2, bodies: v2 },
    ];
    const operations = [];
    for (const op of ["get", "create"]) {
      const per = { v1: [], v2: [] };
      for (let r = 0; r < runs; r++) {
        // The protocol measured second in a pair runs on a server the first one has just loaded
        // (heap grown, a collection due) and came out slower either way round, so the order
        // alternates between runs: v1 first in odd runs, v2 first in even ones.
        for (const { protocol, paths, bodies } of r % 2 === 0 ? protocols : [...protocols].reverse()) {
          const failures0 = (await requestCounters(full.metricsPort, protocol)).failure;
          const res = await h2load({
            address: full.address,
            path: paths[op],
            bodyFile: op === "get" ? bodies.getFile : bodies.createFile,
            clients,
            streams,
            durationS,
            warmupS: 1,
            logFile: join(tmpDir, "h2load.log"),
          });
          // gRPC errors travel in HTTP 200 replies, so h2load does not count them: the server's counter does.
          res.serverFailures = (await requestCounters(full.metricsPort, protocol)).failure - failures0;
          log(
            `  ${op} ${protocol} run ${r + 1}/${runs}: ${round(res.rps, 0)} req/s p50 ${round(res.p50)} ms p99 ${round(res.p99)} ms`,
          );
          per[protocol].push(res);
        }
      }
      const m = (protocol, key) => median(per[protocol].map((x) => x[key]));
      const operation = op === "get" ? "GetTask" : "CreateTask";
      for (const protocol of ["v1", "v2"]) {
        operations.push({
          operation,
          protocol,
          rps: round(m(protocol, "rps"), 0),
          p50Ms: round(m(protocol, "p50"), 3),
          p99Ms: round(m(protocol, "p99"), 3),
          rpsVsV1: round(m(protocol, "rps") / m("v1", "rps"), 3),
          p50VsV1: round(m(protocol, "p50") / m("v1", "p50"), 3),
          failed: per[protocol].reduce((a, x) => a + x.failed + x.errored + x.serverFailures, 0),
          runs,
          durationS,
          inFlight: clients * streams,
        });
      }
    }
    return { served: true, operations };
  } finally {
    await full.stop();
  }
}

/** Header of the protocol table. */
export const PROTOCOL_HEAD = ["operation", "protocol", "req/s", "p50 ms", "p99 ms", "req/s vs v1", "p50 vs v1", "failed"];

/** Rows of the protocol table: one per operation and protocol. */
export function protocolRows(section) {
  return section.operations.map((o) => [
    o.operation,
    o.protocol,
    o.rps,
    o.p50Ms,
    o.p99Ms,
    o.protocol === "v1" ? "" : `${o.rpsVsV1}x`,
    o.protocol === "v1" ? "" : `${o.p50VsV1}x`,
    o.failed,
  ]);
}
