// The results table printed at the end of `pnpm bench`, and the machine description.
import { cpus, loadavg, totalmem } from "node:os";

/** nproc, CPU model, memory, node version, load average at the start. */
export function machine() {
  const c = cpus();
  return {
    nproc: c.length,
    cpuModel: c[0]?.model ?? "unknown",
    memGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    loadAvg: loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

const mark = (ok) => (ok === undefined ? "" : ok ? "yes" : "NO");

/** Rows of [metric, value, target, met]. */
export function summaryRows(results) {
  const rows = [];
  for (const t of results.throughput ?? []) {
    rows.push([`${t.operation} throughput, full / bare (req/s)`, `${t.fullRps} / ${t.bareRps}`, "", ""]);
    rows.push([`${t.operation} ratio full/bare`, String(t.ratio), ">= 0.9", mark(t.ratio >= 0.9)]);
    rows.push([`${t.operation} p50 / p99 at saturation, full (ms)`, `${t.fullP50Ms} / ${t.fullP99Ms}`, "", ""]);
    rows.push([`${t.operation} p50 / p99 at saturation, bare (ms)`, `${t.bareP50Ms} / ${t.bareP99Ms}`, "", ""]);
    rows.push([
      `${t.operation} errors (gRPC / transport)`,
      `${t.grpcErrors} / ${t.transportErrors}`,
      "0",
      mark(t.grpcErrors + t.transportErrors === 0),
    ]);
  }
  const f = results.fixedRate;
  if (f) {
    rows.push([`GetTask p99 at ${f.targetRps}/s, full (ms)`, String(f.fullP99Ms), "<= 2", mark(f.fullP99Ms <= 2)]);
    rows.push([`GetTask p50 at ${f.targetRps}/s, full / bare (ms)`, `${f.fullP50Ms} / ${f.bareP50Ms}`, "", ""]);
    rows.push([`GetTask p99 at ${f.targetRps}/s, bare (ms)`, String(f.bareP99Ms), "", ""]);
  }
  const s = results.startup;
  if (s) {
    rows.push([`start-up to SERVING (${s.agents.length} agents) (ms)`, String(s.startupMs), "<= 500", mark(s.startupMs <= 500)]);
    rows.push(["idle RSS (MiB)", String(s.idleRssMiB), "<= 80", mark(s.idleRssMiB <= 80)]);
    rows.push(["idle RSS of a bare `node` process (MiB)", String(s.bareNodeRssMiB), "", ""]);
  }
  const c = results.scale;
  if (c) {
    rows.push([`scale: tasks in flight (${c.agent})`, String(c.tasks), "10000", mark(c.tasks >= 10000)]);
    rows.push([`scale: GetTask rate achieved (req/s)`, String(c.achievedRps), String(c.targetRps), ""]);
    rows.push(["scale: GetTask p50 / p99 (ms)", `${c.p50Ms} / ${c.p99Ms}`, "p99 <= 60", mark(c.p99Ms <= 60)]);
    rows.push(["scale: errors", String(c.errors), "0", mark(c.errors === 0)]);
    rows.push(["scale: max server RSS (MiB)", String(c.maxRssMiB), "<= 200", mark(c.maxRssMiB <= 200)]);
    rows.push([
      "scale: HTTP connections to the fake / requests (new during GetTask load)",
      `${c.fakeConnections} / ${c.fakeRequests} (${c.fakeConnectionsDuringGets})`,
      "reused",
      mark(c.fakeConnections <= 128 && c.fakeConnectionsDuringGets <= 8),
    ]);
  }
  return rows;
}

/** Prints rows as an aligned text table. */
export function printTable(rows, out = process.stdout) {
  const head = ["metric", "value", "target", "met"];
  const all = [head, ...rows];
  const widths = head.map((_, i) => Math.max(...all.map((r) => String(r[i]).length)));
  const line = (r) =>
    r
      .map((c, i) => String(c).padEnd(widths[i]))
      .join("  ")
      .trimEnd();
  out.write(`${line(head)}\n${widths.map((w) => "-".repeat(w)).join("  ")}\n`);
  for (const r of rows) out.write(`${line(r)}\n`);
}
