// The results tables printed at the end of `pnpm bench`, and the machine description. Every
// comparative figure is shown for the full server, the bare grpc-js baseline and the Python
// servicer of the same run, with the target as a ratio and whether it was met.
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

/** Columns of the summary table. */
export const SUMMARY_HEAD = ["metric", "full", "bare", "python", "target", "measured", "met"];

const mark = (ok) => (ok === undefined ? "" : ok ? "yes" : "NO");
const show = (x) => (x === undefined || Number.isNaN(x) ? "-" : String(x));
const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? Math.round((a / b) * 100) / 100 : Number.NaN);

/** A row comparing full with bare (`kind` "bare": full/bare against `limit`, "max" or "min"). */
function vsRow(metric, values, target, { against = "bare", limit, at = "max" }) {
  const r = ratio(values.full, values[against]);
  const met = Number.isFinite(r) ? (at === "max" ? r <= limit : at === "min" ? r >= limit : r < limit) : undefined;
  return [
    metric,
    show(values.full),
    show(values.bare),
    show(values.python),
    target,
    Number.isFinite(r) ? `${r}x ${against}` : "-",
    mark(met),
  ];
}

/** A row of one value against an absolute target. */
function valueRow(metric, value, target = "", met = undefined) {
  return [metric, show(value), "", "", target, "", mark(met)];
}

/** Saturation targets against bare grpc-js (issue 21: GetTask >= 0.75x; CreateTask is shown against the same). */
const SATURATION_TARGET = { GetTask: 0.75, CreateTask: 0.75 };

/** Rows of the summary table (see SUMMARY_HEAD). */
export function summaryRows(results) {
  const rows = [];
  const r = results.realistic;
  if (r) {
    const name = `realistic load (${r.tasks} Databricks runs, fake at ${r.fakeLatencyMs} ms; median of ${r.runs.length})`;
    // The bare column is the realistic baseline: bare grpc-js making the same calls with node:http.
    const b = r.baseline ?? {};
    const withBaseline = (metric, full, bare, target, met) => [metric, show(full), show(bare), "", target, "", mark(met)];
    rows.push(withBaseline(`${name}: server CPU (% of one core)`, r.serverCpuPercent, b.serverCpuPercent, "<= 5", r.cpuMet));
    if (r.baseline) {
      const perCall = ratio(r.serverCpuMicrosPerCall, b.serverCpuMicrosPerCall);
      rows.push([
        `${name}: server CPU per call (µs)`,
        show(r.serverCpuMicrosPerCall),
        show(b.serverCpuMicrosPerCall),
        "",
        "",
        Number.isFinite(perCall) ? `${perCall}x bare` : "-",
        "",
      ]);
    }
    rows.push(withBaseline(`${name}: max server RSS (MiB)`, r.maxRssMiB, b.maxRssMiB, "<= 120", r.rssMet));
    rows.push(
      withBaseline(
        `${name}: GetTask p50 / p99 (ms)`,
        `${r.getP50Ms} / ${r.getP99Ms}`,
        r.baseline ? `${b.getP50Ms} / ${b.getP99Ms}` : undefined,
        `p99 <= ${r.fakeLatencyMs + 10}`,
        r.p99Met,
      ),
    );
    rows.push(withBaseline(`${name}: errors (all runs)`, r.errors, b.errors, "0", r.errorsMet));
  }
  const t = results.throughput;
  const hasPython = results.python?.ok;
  for (const op of t?.operations ?? []) {
    const rps = { full: op.fullRps, bare: op.bareRps, python: op.pythonRps };
    const limit = SATURATION_TARGET[op.operation] ?? 0.9;
    rows.push(vsRow(`${op.operation} req/s at saturation`, rps, `>= ${limit}x bare`, { limit, at: "min" }));
    if (hasPython)
      rows.push(
        vsRow(`${op.operation} req/s at saturation, vs Python`, rps, ">= 3x python", { against: "python", limit: 3, at: "min" }),
      );
    rows.push([
      `${op.operation} p50 / p99 at saturation (ms)`,
      `${op.fullP50Ms} / ${op.fullP99Ms}`,
      `${op.bareP50Ms} / ${op.bareP99Ms}`,
      hasPython ? `${op.pythonP50Ms} / ${op.pythonP99Ms}` : "-",
      "",
      "",
      "",
    ]);
    rows.push(
      valueRow(
        `${op.operation} errors, full (gRPC / transport)`,
        `${op.grpcErrors} / ${op.transportErrors}`,
        "0",
        op.grpcErrors + op.transportErrors === 0,
      ),
    );
  }
  if (t?.rssAfterLoadMiB) {
    rows.push(vsRow("RSS after the saturation load (MiB)", t.rssAfterLoadMiB, "<= 1.2x bare", { limit: 1.2 }));
  }
  const f = results.fixedRate;
  if (f) {
    const at = `at ${f.targetRps} GetTask/s`;
    const pick = (key) => ({ full: f.full?.[key], bare: f.bare?.[key], python: f.python?.[key] });
    const p99 = pick("p99Ms");
    rows.push([`p99 ${at} (ms)`, show(p99.full), show(p99.bare), show(p99.python), "", "", ""]);
    rows.push(vsRow(`server CPU per call ${at} (µs)`, pick("cpuMicrosPerCall"), "<= 1.4x bare", { limit: 1.4 }));
    if (hasPython) {
      rows.push(
        vsRow(`server CPU per call ${at}, vs Python`, pick("cpuMicrosPerCall"), "< python", {
          against: "python",
          limit: 1,
          at: "below",
        }),
      );
    }
    const p50 = pick("p50Ms");
    rows.push([`p50 ${at} (ms)`, show(p50.full), show(p50.bare), show(p50.python), "", "", ""]);
    const wait = pick("waitPercent");
    rows.push([`server waiting for a CPU ${at} (% of the run)`, show(wait.full), show(wait.bare), show(wait.python), "", "", ""]);
    const rps = pick("rps");
    rows.push([`rate achieved ${at} (req/s)`, show(rps.full), show(rps.bare), show(rps.python), "", "", ""]);
  }
  const s = results.startup;
  if (s) {
    rows.push(valueRow(`start-up to SERVING (${s.agents.length} agents) (ms)`, s.startupMs, "<= 500", s.startupMs <= 500));
    rows.push(valueRow("idle RSS (MiB)", s.idleRssMiB, "<= 80", s.idleRssMiB <= 80));
    rows.push(valueRow("idle RSS of a bare `node` process (MiB)", s.bareNodeRssMiB));
  }
  const k = results.soak;
  if (k) {
    rows.push(
      valueRow(
        `soak: GetTask req/s for ${k.seconds} s at max rate / errors`,
        `${k.rps} / ${k.errors}`,
        "0 errors",
        k.errors === 0,
      ),
    );
    rows.push(valueRow("soak: max RSS (MiB)", k.maxRssMiB, "<= 200", k.maxRssMiB <= 200));
    rows.push(
      valueRow(
        `soak: RSS growth over the last ${k.growthWindowS} s (%)`,
        `${k.growthPercent} (${k.windowStartRssMiB} -> ${k.windowEndRssMiB})`,
        "<= 5",
        k.growthPercent <= 5,
      ),
    );
  }
  const c = results.scale;
  if (c) {
    c.runs.forEach((run, i) => {
      const name = `scale run ${i + 1}/${c.runs.length}`;
      rows.push(
        valueRow(
          `${name}: tasks in flight (${run.agent}) / GetTask req/s`,
          `${run.tasks} / ${run.achievedRps}`,
          run.tasks >= 10000 ? `10000 / ${run.targetRps}` : `10000 / ${run.targetRps} (short run: not marked)`,
          run.tasks >= 10000 ? run.achievedRps >= run.targetRps * 0.98 : undefined,
        ),
      );
      rows.push(
        valueRow(`${name}: GetTask p50 / p99 (ms)`, `${run.p50Ms} / ${run.p99Ms}`, `p99 <= ${c.p99TargetMs}`, run.p99Met),
      );
      rows.push(valueRow(`${name}: max server RSS (MiB)`, run.maxRssMiB, `<= ${c.rssTargetMiB}`, run.rssMet));
      rows.push(valueRow(`${name}: errors`, run.errors, "0", run.errors === 0));
      rows.push(
        valueRow(
          `${name}: connections to the fake / requests (new during GetTask)`,
          `${run.fakeConnections} / ${run.fakeRequests} (${run.fakeConnectionsDuringGets})`,
          "reused",
          run.fakeConnections <= 128 && run.fakeConnectionsDuringGets <= 8,
        ),
      );
      rows.push(
        valueRow(
          `${name}: server CPU / waiting for a CPU (% of a core); fake / client CPU`,
          `${run.serverCpuPercent} / ${run.serverWaitPercent}; ${run.fakeCpuPercent} / ${run.clientCpuPercent}`,
        ),
      );
    });
    if (c.runs.length > 1) {
      rows.push(
        valueRow(
          "scale: p99 and RSS targets held in every run",
          `${c.p99MetEveryRun} / ${c.rssMetEveryRun}`,
          "true / true",
          c.p99MetEveryRun && c.rssMetEveryRun,
        ),
      );
    }
  }
  return rows;
}

/** Columns of the per-operation cost table. */
export const COST_HEAD = [
  "operation",
  "CPU µs/call full",
  "bare",
  "full/bare",
  "heap B/call full",
  "bare",
  "full/bare",
  "promoted B/call full",
  "bare",
  "GCs/1000 full",
  "bare",
];

/** Rows of the per-operation cost table (see COST_HEAD). */
export function costRows(cost) {
  return cost.map((row) => [
    row.operation,
    show(row.full?.cpuMicrosPerCall),
    show(row.bare?.cpuMicrosPerCall),
    show(ratio(row.full?.cpuMicrosPerCall, row.bare?.cpuMicrosPerCall)),
    show(row.full?.allocatedBytesPerCall),
    show(row.bare?.allocatedBytesPerCall),
    show(ratio(row.full?.allocatedBytesPerCall, row.bare?.allocatedBytesPerCall)),
    show(row.full?.promotedBytesPerCall),
    show(row.bare?.promotedBytesPerCall),
    show(row.full?.collectionsPer1000),
    show(row.bare?.collectionsPer1000),
  ]);
}

/** Prints rows under `head` as an aligned text table. */
export function printTable(rows, head = SUMMARY_HEAD, out = process.stdout) {
  const all = [head, ...rows];
  const widths = head.map((_, i) => Math.max(...all.map((r) => String(r[i] ?? "").length)));
  const line = (r) =>
    r
      .map((c, i) => String(c ?? "").padEnd(widths[i]))
      .join("  ")
      .trimEnd();
  out.write(`${line(head)}\n${widths.map((w) => "-".repeat(w)).join("  ")}\n`);
  for (const r of rows) out.write(`${line(r)}\n`);
}
