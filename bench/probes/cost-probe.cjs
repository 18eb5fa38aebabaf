// Preloaded into a server under test (`node --require bench/probes/cost-probe.cjs ...`) by the
// bench's per-operation cost section; the server's own code is not changed. On SIGUSR2 it writes
// to $BENCH_PROBE_FILE, as JSON, the V8 heap bytes allocated since start (bytes in use now, minus
// at start, plus every byte a garbage collection freed, from v8.GCProfiler), the bytes young-
// generation collections moved to the old generation (old-space growth across each scavenge:
// what outlived two of them), the number of collections, and the process's CPU time
// (process.cpuUsage, µs).
const { writeFileSync } = require("node:fs");
const v8 = require("node:v8");

const file = process.env.BENCH_PROBE_FILE;
if (file) {
  const usedAtStart = v8.getHeapStatistics().used_heap_size;
  let freed = 0;
  let collections = 0;
  let promoted = 0;
  const oldSpaceUsed = (stats) => stats.heapSpaceStatistics.find((space) => space.spaceName === "old_space")?.spaceUsedSize ?? 0;
  let seq = 0;
  let profiler = new v8.GCProfiler();
  profiler.start();
  process.on("SIGUSR2", () => {
    const data = profiler.stop();
    profiler = new v8.GCProfiler();
    profiler.start();
    for (const gc of data?.statistics ?? []) {
      freed += gc.beforeGC.heapStatistics.usedHeapSize - gc.afterGC.heapStatistics.usedHeapSize;
      collections++;
      if (gc.gcType === "Scavenge") promoted += oldSpaceUsed(gc.afterGC) - oldSpaceUsed(gc.beforeGC);
    }
    const cpu = process.cpuUsage();
    const snapshot = {
      seq: ++seq,
      allocatedBytes: v8.getHeapStatistics().used_heap_size - usedAtStart + freed,
      collections,
      promotedBytes: promoted,
      cpuMicros: cpu.user + cpu.system,
    };
    writeFileSync(file, JSON.stringify(snapshot));
  });
}
