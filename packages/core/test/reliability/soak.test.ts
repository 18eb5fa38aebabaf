import { readFileSync } from "node:fs";
import { status } from "@grpc/grpc-js";
import { flyteidl } from "../../src";
import { FakeJobService } from "./fixtures/job-service";
import { RawClient } from "./fixtures/raw-client";
import { decodeCreateReply, PATH } from "./fixtures/requests";
import { spawnServer } from "./fixtures/spawned-server";

/**
 * Soak: GetTask at the maximum rate (64 calls in flight) against a spawned server for
 * FLYTE_AGENT_SOAK_SECONDS (default 120): zero errors, and RSS at the end within 10% of RSS
 * after warm-up. Long, so it runs only with FLYTE_AGENT_SOAK=1.
 */
const enabled = process.env.FLYTE_AGENT_SOAK === "1";
const seconds = Number(process.env.FLYTE_AGENT_SOAK_SECONDS ?? 120);
const { admin, core } = flyteidl;

const rssMiB = (pid: number) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? Number.NaN) / 1024;

(enabled ? test : test.skip)(
  `soak: ${seconds} s at maximum rate, zero errors, RSS drift <= 10%`,
  async () => {
    const jobs = new FakeJobService();
    const server = await spawnServer(await jobs.start());
    const client = new RawClient(server.address);
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
      let rssAfterWarmUp = Number.NaN;
      const worker = async () => {
        while (Date.now() < ends) {
          const out = await client.unary(PATH.get, body);
          if (out.code === status.OK) ok += 1;
          else failures.push(`${status[out.code]}: ${out.details}`);
          if (Number.isNaN(rssAfterWarmUp) && Date.now() >= warmUpEnds) rssAfterWarmUp = rssMiB(server.child.pid!);
        }
      };
      await Promise.all(Array.from({ length: 64 }, worker));
      const rssAtEnd = rssMiB(server.child.pid!);
      const drift = (rssAtEnd - rssAfterWarmUp) / rssAfterWarmUp;
      process.stderr.write(
        `soak: ${ok} calls in ${seconds} s (${Math.round(ok / seconds)}/s), RSS ${rssAfterWarmUp.toFixed(1)} -> ${rssAtEnd.toFixed(1)} MiB (${(drift * 100).toFixed(1)}%)\n`,
      );
      expect(failures.slice(0, 5)).toEqual([]);
      expect(ok).toBeGreaterThan(seconds * 100);
      expect(drift).toBeLessThanOrEqual(0.1);
    } finally {
      client.close();
      server.kill();
      await jobs.close();
    }
  },
  (seconds + 60) * 1000,
);
