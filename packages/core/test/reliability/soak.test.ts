import { readFileSync } from "node:fs";
import { status } from "@grpc/grpc-js";
import { flyteidl } from "../../src";
import { FakeJobService } from "./fixtures/job-service";
import { RawClient } from "./fixtures/raw-client";
import { decodeCreateReply, PATH } from "./fixtures/requests";
import { freePort, spawnServer } from "./fixtures/spawned-server";

/**
 * Soak, a leak check that runs with every `jest` run (so in CI): GetTask at the maximum rate (32
 * calls in flight) against a spawned `flyte-agent serve` for FLYTE_AGENT_SOAK_SECONDS (default
 * 40). It checks counts and memory, not speed: zero errors, and a generous bound on the heap the
 * server keeps (read from its own /metrics) and on its RSS. The 120 s soak of the benchmarks is
 * `pnpm bench` (see BENCHMARKS.md).
 */
const seconds = Number(process.env.FLYTE_AGENT_SOAK_SECONDS ?? 40);
const { admin, core } = flyteidl;
const MiB = 1024 * 1024;
/** Heap the server may use at the end, whatever it held after warm-up: a leak of a few hundred bytes per call fills it. */
const HEAP_END_BOUND_MIB = 96;
/** Heap growth allowed from the end of warm-up to the end. */
const HEAP_INCREASE_BOUND_MIB = 32;
/**
 * Peak RSS allowed: generous, since this process runs without the image's NODE_OPTIONS and
 * MALLOC_ARENA_MAX (a 15 s run on Node 20 peaked at 194 MiB with a heap of 22 MiB). The 200 MiB
 * target of a soak with the image's settings is checked by `pnpm bench`.
 */
const RSS_PEAK_BOUND_MIB = 320;

const rssMiB = (pid: number) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? Number.NaN) / 1024;

/** nodejs_heap_size_used_bytes from the server's /metrics, in MiB. */
async function heapUsedMiB(metricsPort: number): Promise<number> {
  const body = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  const m = /^nodejs_heap_size_used_bytes (\S+)$/m.exec(body);
  if (!m?.[1]) throw new Error("the server's /metrics has no nodejs_heap_size_used_bytes");
  return Number(m[1]) / MiB;
}

test(
  `soak: ${seconds} s at maximum rate, zero errors, heap <= ${HEAP_END_BOUND_MIB} MiB and growing <= ${HEAP_INCREASE_BOUND_MIB} MiB, RSS <= ${RSS_PEAK_BOUND_MIB} MiB`,
  async () => {
    const jobs = new FakeJobService();
    const metricsPort = await freePort();
    const server = await spawnServer(await jobs.start(), ["--prometheus-port", String(metricsPort)]);
    const client = new RawClient(server.address);
    const pid = server.child.pid ?? 0;
    try {
      const create = admin.CreateTaskRequest.fromPartial({ template: core.TaskTemplate.fromPartial({ type: "rel_job" }) });
      const created = await client.unary(PATH.create, Buffer.from(admin.CreateTaskRequest.encode(create).finish()));
      const resourceMeta = decodeCreateReply(created.reply).resourceMeta;
      const body = Buffer.from(
        admin.GetTaskRequest.encode(
          admin.GetTaskRequest.fromPartial({ taskCategory: { name: "rel_job", version: 0 }, resourceMeta }),
        ).finish(),
      );
      const started = Date.now();
      const warmUpEnds = started + Math.min(20_000, seconds * 150);
      const ends = started + seconds * 1000;
      let ok = 0;
      const failures: string[] = [];
      let heapAfterWarmUp: Promise<number> | undefined;
      let rssPeak = 0;
      const worker = async () => {
        while (Date.now() < ends) {
          const out = await client.unary(PATH.get, body);
          if (out.code === status.OK) ok += 1;
          else failures.push(`${status[out.code]}: ${out.details}`);
          if (ok % 500 === 0) rssPeak = Math.max(rssPeak, rssMiB(pid));
          if (heapAfterWarmUp === undefined && Date.now() >= warmUpEnds) heapAfterWarmUp = heapUsedMiB(metricsPort);
        }
      };
      await Promise.all(Array.from({ length: 32 }, worker));
      rssPeak = Math.max(rssPeak, rssMiB(pid));
      const heapStart = await (heapAfterWarmUp ?? heapUsedMiB(metricsPort));
      const heapEnd = await heapUsedMiB(metricsPort);
      process.stderr.write(
        `soak: ${ok} calls in ${seconds} s, heap used ${heapStart.toFixed(1)} -> ${heapEnd.toFixed(1)} MiB, peak RSS ${rssPeak.toFixed(1)} MiB\n`,
      );
      expect(failures.slice(0, 5)).toEqual([]);
      expect(ok).toBeGreaterThan(1000); // a count of calls made, whatever the machine's speed
      expect(heapEnd).toBeLessThanOrEqual(HEAP_END_BOUND_MIB);
      expect(heapEnd - heapStart).toBeLessThanOrEqual(HEAP_INCREASE_BOUND_MIB);
      expect(rssPeak).toBeLessThanOrEqual(RSS_PEAK_BOUND_MIB);
    } finally {
      client.close();
      server.kill();
      await jobs.close();
    }
  },
  (seconds + 60) * 1000,
);
