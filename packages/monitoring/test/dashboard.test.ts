import { readFileSync } from "node:fs";
import { buildDashboard, dashboardJson, ROWS } from "../src/dashboard";
import { DASHBOARD_FILE } from "../src/write";

interface JsonPanel {
  type: string;
  title: string;
  targets?: { expr?: string }[];
}

test("the committed deploy/monitoring/grafana-dashboard.json is what the TypeScript source builds", () => {
  const committed: unknown = JSON.parse(readFileSync(DASHBOARD_FILE, "utf8"));
  // Stale: run `pnpm --filter @flyte-agent/monitoring generate:deploy` and commit the file.
  // (Compared as JSON: the file is laid out by the repository's formatter.)
  expect(committed).toEqual(JSON.parse(dashboardJson()));
});

test("every panel queries Prometheus, and every row of the source is in the dashboard", () => {
  const panels = (buildDashboard().panels ?? []) as JsonPanel[];
  const rows = panels.filter((p) => p.type === "row").map((p) => p.title);
  expect(rows).toEqual(ROWS.map((r) => r.title));
  const data = panels.filter((p) => p.type !== "row");
  expect(data.map((p) => p.title)).toEqual(ROWS.flatMap((r) => r.panels.map((p) => p.title)));
  for (const p of data) {
    expect(p.targets?.length).toBeGreaterThan(0);
    for (const t of p.targets ?? []) expect(t.expr).toMatch(/job=~"\$job"/);
  }
});

test("the panels the operators asked for are there, on the metrics core exports", () => {
  const exprs = ROWS.flatMap((r) => r.panels.flatMap((p) => p.queries.map((q) => q.expr))).join("\n");
  for (const metric of [
    "flyte_connector_request_latency_seconds_count",
    "flyte_connector_requests_failure_total",
    "flyte_connector_request_latency_seconds_bucket",
    'flyte_connector_requests_success_total{job=~"$job", operation="create"}',
    "flyte_agent_tasks_finished_total",
    "flyte_agent_external_requests_total",
    "flyte_agent_external_retries_total",
    "flyte_agent_external_failures_total",
    "process_cpu_seconds_total",
    "process_resident_memory_bytes",
    "nodejs_eventloop_lag_p99_seconds",
    "nodejs_gc_duration_seconds_sum",
    "flyte_agent_log_lines_dropped_total",
    "flyte_agent_build_info",
  ]) {
    expect(exprs).toContain(metric);
  }
  expect(exprs).toContain("by (operation, task_type, protocol)");
});
