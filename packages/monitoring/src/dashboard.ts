import type * as cog from "@grafana/grafana-foundation-sdk/cog";
import {
  DashboardBuilder,
  DashboardCursorSync,
  DatasourceVariableBuilder,
  QueryVariableBuilder,
  RowBuilder,
  VariableRefresh,
  VariableSort,
} from "@grafana/grafana-foundation-sdk/dashboard";
import { DataqueryBuilder, PromQueryFormat } from "@grafana/grafana-foundation-sdk/prometheus";
import { PanelBuilder as StatPanelBuilder } from "@grafana/grafana-foundation-sdk/stat";
import { PanelBuilder as TablePanelBuilder } from "@grafana/grafana-foundation-sdk/table";
import { PanelBuilder as TimeseriesPanelBuilder } from "@grafana/grafana-foundation-sdk/timeseries";

/** The dashboard's uid: stable, so links and provisioning keep working across versions. */
export const DASHBOARD_UID = "flyte-agent-service";

/** The data source every query uses (the dashboard's `datasource` variable). */
// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax, not a template literal
const DATASOURCE = { type: "prometheus", uid: "${datasource}" };

/** The selector every query carries: the jobs picked in the `job` variable. */
const SEL = 'job=~"$job"';

/** One query of a panel. */
export interface PanelQuery {
  readonly expr: string;
  readonly legend: string;
}

/** One panel, as data: the dashboard is built from these, and the system test runs each query. */
export interface PanelSpec {
  readonly title: string;
  readonly description: string;
  readonly kind: "timeseries" | "stat" | "table";
  readonly unit: string;
  readonly queries: readonly PanelQuery[];
}

/** One row of panels. */
export interface RowSpec {
  readonly title: string;
  readonly panels: readonly PanelSpec[];
}

const rate = (metric: string, extra = "") => `rate(${metric}{${SEL}${extra}}[$__rate_interval])`;

/** Every panel of the dashboard, by row. */
export const ROWS: readonly RowSpec[] = [
  {
    title: "Requests (what propeller and the Flyte 2 executor call)",
    panels: [
      {
        title: "Request rate by operation, task type and protocol",
        description: "Every gRPC call the service answered (flyte_connector_request_latency_seconds_count).",
        kind: "timeseries",
        unit: "reqps",
        queries: [
          {
            expr: `sum by (operation, task_type, protocol) (${rate("flyte_connector_request_latency_seconds_count")})`,
            legend: "{{operation}} {{task_type}} ({{protocol}})",
          },
        ],
      },
      {
        title: "Errors by operation, task type, protocol and gRPC status",
        description:
          "Calls answered with a gRPC error. Propeller spends a task retry on every CreateTask error and fails a task after six GetTask errors.",
        kind: "timeseries",
        unit: "reqps",
        queries: [
          {
            expr: `sum by (operation, task_type, protocol, error_code) (${rate("flyte_connector_requests_failure_total")})`,
            legend: "{{operation}} {{task_type}} ({{protocol}}) {{error_code}}",
          },
        ],
      },
      {
        title: "Error ratio by task type",
        description: "Failed calls over all calls, per task type (the FlyteAgentErrorRatioHigh alert).",
        kind: "timeseries",
        unit: "percentunit",
        queries: [
          {
            expr: `sum by (task_type) (${rate("flyte_connector_requests_failure_total")}) / sum by (task_type) (${rate("flyte_connector_request_latency_seconds_count")})`,
            legend: "{{task_type}}",
          },
        ],
      },
      {
        title: "Latency p50 and p99 by operation, task type and protocol",
        description: "From the flyte_connector_request_latency_seconds histogram; includes the external API's time.",
        kind: "timeseries",
        unit: "s",
        queries: [
          {
            expr: `histogram_quantile(0.99, sum by (le, operation, task_type, protocol) (${rate("flyte_connector_request_latency_seconds_bucket")}))`,
            legend: "p99 {{operation}} {{task_type}} ({{protocol}})",
          },
          {
            expr: `histogram_quantile(0.5, sum by (le, operation, task_type, protocol) (${rate("flyte_connector_request_latency_seconds_bucket")}))`,
            legend: "p50 {{operation}} {{task_type}} ({{protocol}})",
          },
        ],
      },
    ],
  },
  {
    title: "Tasks",
    panels: [
      {
        title: "Tasks created vs finished",
        description:
          "Created: successful CreateTask calls. Finished: GetTask (or a sync run) answering a terminal phase, by phase. A widening gap means tasks pile up in flight.",
        kind: "timeseries",
        unit: "ops",
        queries: [
          {
            expr: `sum by (task_type) (${rate("flyte_connector_requests_success_total", ', operation="create"')})`,
            legend: "created {{task_type}}",
          },
          {
            expr: `sum by (task_type, phase) (${rate("flyte_agent_tasks_finished_total")})`,
            legend: "finished {{task_type}} {{phase}}",
          },
        ],
      },
      {
        title: "Input size p99 by task type",
        description: "Size of CreateTask / ExecuteTaskSync requests carrying the inputs (flyte_connector_input_literal_bytes).",
        kind: "timeseries",
        unit: "bytes",
        queries: [
          {
            expr: `histogram_quantile(0.99, sum by (le, task_type) (${rate("flyte_connector_input_literal_bytes_bucket")}))`,
            legend: "{{task_type}}",
          },
        ],
      },
    ],
  },
  {
    title: "External APIs (per plugin's service)",
    panels: [
      {
        title: "External API calls by service and HTTP status",
        description: "Every HTTP attempt plugins made (network_error: no answer).",
        kind: "timeseries",
        unit: "reqps",
        queries: [
          {
            expr: `sum by (service, code) (${rate("flyte_agent_external_requests_total")})`,
            legend: "{{service}} {{code}}",
          },
        ],
      },
      {
        title: "External API retries by service and reason",
        description: "Attempts tried again after a 429, a 5xx or a network failure.",
        kind: "timeseries",
        unit: "reqps",
        queries: [
          {
            expr: `sum by (service, reason) (${rate("flyte_agent_external_retries_total")})`,
            legend: "{{service}} {{reason}}",
          },
        ],
      },
      {
        title: "External API failures by service",
        description:
          "Requests given up after their retries, answers refusing the credentials (401/403), and attempts refused for rate or quota whatever the status (429, AWS ThrottlingException, S3 SlowDown): the FlyteAgentExternalCredentialsRefused and FlyteAgentExternalThrottled alerts.",
        kind: "timeseries",
        unit: "reqps",
        queries: [
          { expr: `sum by (service) (${rate("flyte_agent_external_failures_total")})`, legend: "{{service}} gave up" },
          {
            expr: `sum by (service, code) (${rate("flyte_agent_external_requests_total", ', code=~"401|403"')})`,
            legend: "{{service}} HTTP {{code}}",
          },
          { expr: `sum by (service) (${rate("flyte_agent_external_throttled_total")})`, legend: "{{service}} throttled" },
        ],
      },
      {
        title: "External API latency p99 by service",
        description: "Time of each HTTP attempt (flyte_agent_external_request_duration_seconds).",
        kind: "timeseries",
        unit: "s",
        queries: [
          {
            expr: `histogram_quantile(0.99, sum by (le, service) (${rate("flyte_agent_external_request_duration_seconds_bucket")}))`,
            legend: "{{service}}",
          },
        ],
      },
    ],
  },
  {
    title: "Process (Node.js)",
    panels: [
      {
        title: "CPU",
        description: "CPU seconds per second, per pod (the chart's request is 500m).",
        kind: "timeseries",
        unit: "percentunit",
        queries: [{ expr: `sum by (instance) (${rate("process_cpu_seconds_total")})`, legend: "{{instance}}" }],
      },
      {
        title: "Memory",
        description: "Resident set size and V8 heap in use, per pod (the chart's limit is 300Mi).",
        kind: "timeseries",
        unit: "bytes",
        queries: [
          { expr: `process_resident_memory_bytes{${SEL}}`, legend: "RSS {{instance}}" },
          { expr: `nodejs_heap_size_used_bytes{${SEL}}`, legend: "heap used {{instance}}" },
        ],
      },
      {
        title: "Event-loop lag p99",
        description: "How late the event loop runs timers: every call waits this long on top of its own work.",
        kind: "timeseries",
        unit: "s",
        queries: [{ expr: `nodejs_eventloop_lag_p99_seconds{${SEL}}`, legend: "{{instance}}" }],
      },
      {
        title: "Garbage collection time by kind",
        description: "Seconds per second spent in V8's collections (minor: scavenges; major: mark-sweep-compact).",
        kind: "timeseries",
        unit: "percentunit",
        queries: [
          { expr: `sum by (instance, kind) (${rate("nodejs_gc_duration_seconds_sum")})`, legend: "{{instance}} {{kind}}" },
        ],
      },
      {
        title: "Log lines dropped",
        description:
          "Log lines per second dropped because stdout did not take them while the 8 MiB log buffer was full, per pod (FlyteAgentLogLinesDropped).",
        kind: "timeseries",
        unit: "short",
        queries: [{ expr: `sum by (instance) (${rate("flyte_agent_log_lines_dropped_total")})`, legend: "{{instance}}" }],
      },
      {
        title: "Restarts (last hour)",
        description: "Process starts seen in the last hour, per pod (FlyteAgentRestarting).",
        kind: "stat",
        unit: "short",
        queries: [{ expr: `sum(changes(process_start_time_seconds{${SEL}}[1h]))`, legend: "restarts" }],
      },
      {
        title: "Build info",
        description: "Version of @flyte-agent/core, Node.js and the plugin packages each pod serves.",
        kind: "table",
        unit: "short",
        queries: [{ expr: `max by (instance, version, node, plugins) (flyte_agent_build_info{${SEL}})`, legend: "" }],
      },
    ],
  },
];

function target(query: PanelQuery, index: number, table: boolean): DataqueryBuilder {
  const builder = new DataqueryBuilder()
    .expr(query.expr)
    .legendFormat(query.legend || "__auto")
    .refId(String.fromCharCode(65 + index));
  return table ? builder.instant().format(PromQueryFormat.Table) : builder.range();
}

function panel(spec: PanelSpec, width: number): cog.Builder<import("@grafana/grafana-foundation-sdk/dashboard").Panel> {
  const targets = spec.queries.map((q, i) => target(q, i, spec.kind === "table"));
  if (spec.kind === "stat") {
    return new StatPanelBuilder()
      .title(spec.title)
      .description(spec.description)
      .datasource(DATASOURCE)
      .unit(spec.unit)
      .targets(targets)
      .height(8)
      .span(width);
  }
  if (spec.kind === "table") {
    return new TablePanelBuilder()
      .title(spec.title)
      .description(spec.description)
      .datasource(DATASOURCE)
      .targets(targets)
      .height(8)
      .span(width);
  }
  return new TimeseriesPanelBuilder()
    .title(spec.title)
    .description(spec.description)
    .datasource(DATASOURCE)
    .unit(spec.unit)
    .targets(targets)
    .height(8)
    .span(width);
}

/** Builds the dashboard (Grafana's dashboard JSON model). */
export function buildDashboard(): ReturnType<DashboardBuilder["build"]> {
  const builder = new DashboardBuilder("Flyte agent service")
    .uid(DASHBOARD_UID)
    .description(
      "The TypeScript Flyte agent / connector service: calls from propeller, tasks, external APIs per plugin, and the Node.js process. Generated by packages/monitoring.",
    )
    .tags(["flyte", "flyte-agent", "connector"])
    .editable()
    .tooltip(DashboardCursorSync.Crosshair)
    .refresh("30s")
    .time({ from: "now-3h", to: "now" })
    .timezone("browser")
    .withVariable(new DatasourceVariableBuilder("datasource").label("Data source").type("prometheus"))
    .withVariable(
      new QueryVariableBuilder("job")
        .label("Job")
        .datasource(DATASOURCE)
        .query("label_values(flyte_agent_build_info, job)")
        .definition("label_values(flyte_agent_build_info, job)")
        .refresh(VariableRefresh.OnTimeRangeChanged)
        .sort(VariableSort.AlphabeticalAsc)
        .multi(true)
        .includeAll(true)
        .allValue(".*"),
    );
  for (const row of ROWS) {
    builder.withRow(new RowBuilder(row.title));
    const width = row.panels.length >= 4 ? 12 : 24 / row.panels.length;
    for (const spec of row.panels) builder.withPanel(panel(spec, width));
  }
  return builder.build();
}

/** The dashboard as the JSON text committed in deploy/monitoring/. */
export function dashboardJson(): string {
  return `${JSON.stringify(buildDashboard(), null, 2)}\n`;
}
