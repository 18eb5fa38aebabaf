/**
 * `flyte-agent propeller-config --format helm-values --chart flyte-core|flyte-binary`: the
 * values fragment for Flyte's own Helm charts (flyteorg/flyte `charts/flyte-core`,
 * `charts/flyte-binary`) that runs this service as their `flyteconnector` subchart, or beside the
 * Python connector. The keys written are the ones listed in {@link CHART_KEYS}, each read by a
 * template of the chart named there; `deploy/helm/README.md` lists them with the same sources.
 * @module
 */
import type { Agent } from "../agent";
import { type FlyteGeneration, propellerConfig } from "./propeller-config";
import { UsageError } from "./usage-error";

/** The Helm charts a values fragment can be written for. */
export type HelmChart = "flyte-core" | "flyte-binary";

/** The charts, for `--chart`. */
export const HELM_CHARTS: readonly HelmChart[] = ["flyte-core", "flyte-binary"];

/** One values key a chart reads, and where (flyteorg/flyte, branch, file). */
export interface ChartKey {
  /** Dotted path in the values (`flyteconnector.image.repository`). */
  readonly path: string;
  /** The branch and file that read it. */
  readonly source: string;
}

const SUBCHART = [
  { path: "flyteconnector.enabled", source: "Chart.yaml `dependencies[flyteconnector].condition`" },
  {
    path: "flyteconnector.image.repository",
    source: "charts/flyteconnector/templates/connector/deployment.yaml (`image:`)",
  },
  { path: "flyteconnector.image.tag", source: "charts/flyteconnector/templates/connector/deployment.yaml (`image:`)" },
  {
    path: "flyteconnector.connectorSecret.secretData",
    source: "charts/flyteconnector/templates/connector/secret.yaml, mounted at /etc/secrets by templates/_helpers.tpl",
  },
  { path: "flyteconnector.podEnv", source: "charts/flyteconnector/templates/connector/deployment.yaml (`env:`)" },
] as const;

/**
 * The values keys each chart and Flyte generation reads, with their source in flyteorg/flyte
 * (Flyte 1: branch `master`; Flyte 2: branch `main`, where only flyte-binary remains).
 */
export const CHART_KEYS: Readonly<Record<`${HelmChart}@${FlyteGeneration}`, readonly ChartKey[]>> = {
  "flyte-core@1": [
    ...SUBCHART.map((k) => ({
      path: k.path,
      source: `master: ${k.source.replace("Chart.yaml", "charts/flyte-core/Chart.yaml")}`,
    })),
    {
      path: "flyteconnector.plugin_config",
      source:
        "master: charts/flyte-core/templates/propeller/configmap.yaml (`connector_service.yaml`, when flyteconnector.enabled)",
    },
    {
      path: "configmap.enabled_plugins.tasks",
      source: "master: charts/flyte-core/templates/propeller/configmap.yaml (`enabled_plugins.yaml`)",
    },
  ],
  "flyte-binary@1": [
    ...SUBCHART.map((k) => ({
      path: k.path,
      source: `master: ${k.source.replace("Chart.yaml", "charts/flyte-binary/Chart.yaml")}`,
    })),
    {
      path: "configuration.connectorService",
      source: "master: charts/flyte-binary/templates/configmap.yaml (`plugins.connector-service`, when flyteconnector.enabled)",
    },
    { path: "enabled_plugins.tasks", source: "master: charts/flyte-binary/templates/configmap.yaml (`001-plugins.yaml`)" },
  ],
  "flyte-core@2": [],
  "flyte-binary@2": [
    ...SUBCHART.map((k) => ({
      path: k.path,
      source: `main: ${k.source.replace("Chart.yaml", "charts/flyte-binary/Chart.yaml")}`,
    })),
    {
      path: "configuration.inline",
      source: "main: charts/flyte-binary/templates/configmap.yaml (`100-inline-config.yaml`)",
    },
    { path: "enabled_plugins.tasks", source: "main: charts/flyte-binary/templates/configmap.yaml (`001-plugins.yaml`)" },
  ],
};

/**
 * What the charts enable by default (values.yaml, `enabled_plugins.tasks.task-plugins`). Helm
 * replaces lists instead of merging them, so the fragment repeats the chart's list with the
 * connector plugin in it.
 */
const CHART_ENABLED_PLUGINS = ["container", "sidecar", "k8s-array", "connector-service", "echo"];
const CHART_DEFAULT_FOR_TASK_TYPES = { container: "container", sidecar: "sidecar", container_array: "k8s-array" };

/** Options of {@link helmValues}. */
export interface HelmValuesOptions {
  /** The chart the fragment is for. */
  chart: HelmChart;
  /** The Flyte generation (2: flyte-binary of Flyte 2 only). @default 1 */
  flyte?: FlyteGeneration;
  /** The image, `repository:tag`. @default "localhost/flyte-agent:latest" (what docker/build.sh builds) */
  image?: string;
  /** The chart's namespace, in the default endpoint. @default "flyte" */
  namespace?: string;
  /**
   * Run beside the chart's Python connector instead of replacing it: this service is the
   * deployment of that name (our kustomize manifests: `flyte-agent`), its task types are pinned
   * to it with `connectorForTaskTypes`, and `defaultConnector` stays the chart's connector.
   */
  deploymentName?: string;
  /** The endpoint propeller dials. @default `k8s://flyteconnector.<namespace>:8000`, or beside the Python connector `dns:///<deploymentName>.<namespace>.svc.cluster.local:8000` */
  endpoint?: string;
  /** Dial with TLS. @default false */
  tls?: boolean;
  /** Deadline of the task calls (core's duration syntax). @default "10s" */
  timeout?: string;
  /** Deadline of ListAgents / ListConnectors. @default "3s" */
  listTimeout?: string;
}

/** Splits `repository:tag` (the tag is after the last colon that follows the last slash). */
export function splitImage(image: string): { repository: string; tag: string } {
  const slash = image.lastIndexOf("/");
  const colon = image.lastIndexOf(":");
  if (image.includes("@") || colon <= slash || colon === image.length - 1 || colon === 0) {
    throw new UsageError(`--image must be repository:tag (e.g. ghcr.io/acme/flyte-agent:0.1.0), got "${image}"`);
  }
  return { repository: image.slice(0, colon), tag: image.slice(colon + 1) };
}

/**
 * The Helm values fragment (YAML text) that switches a Flyte chart to this service, with the
 * propeller (Flyte 1) or executor (Flyte 2) plugin config {@link propellerConfig} writes.
 *
 * @throws UsageError for a chart and Flyte generation that do not exist (flyte-core on Flyte 2)
 */
export function helmValues(agents: readonly Agent[], options: HelmValuesOptions): string {
  const flyte = options.flyte ?? 1;
  if (!HELM_CHARTS.includes(options.chart)) {
    throw new UsageError(`--chart must be ${HELM_CHARTS.join(" or ")}, got "${String(options.chart)}"`);
  }
  if (options.chart === "flyte-core" && flyte === 2) {
    throw new UsageError("Flyte 2 has no flyte-core chart: use --chart flyte-binary with --flyte 2");
  }
  const namespace = options.namespace ?? "flyte";
  const beside = options.deploymentName !== undefined;
  const endpoint = options.endpoint ?? (beside ? undefined : `k8s://flyteconnector.${namespace}:8000`);
  const { parse, Document } = require("yaml") as typeof import("yaml"); // loaded only for this command
  const config = parse(
    propellerConfig(agents, {
      flyte,
      plugin: "connector-service",
      endpoint,
      namespace,
      deploymentName: options.deploymentName,
      tls: options.tls,
      timeout: options.timeout,
      listTimeout: options.listTimeout,
    }),
  ) as { tasks: { "task-plugins": Record<string, unknown> }; plugins: { "connector-service": Record<string, unknown> } };

  const section = config.plugins["connector-service"];
  if (beside) {
    // The chart's Python connector keeps every task type not pinned to this service.
    section.defaultConnector = { endpoint: `k8s://flyteconnector.${namespace}:8000`, insecure: true };
  }
  const taskPlugins = config.tasks["task-plugins"];
  const tasks = {
    "task-plugins": {
      ...(flyte === 1 ? { "enabled-plugins": CHART_ENABLED_PLUGINS } : {}),
      "default-for-task-types": {
        ...CHART_DEFAULT_FOR_TASK_TYPES,
        ...(taskPlugins["default-for-task-types"] as Record<string, string>),
      },
    },
  };
  const connector: Record<string, unknown> = { enabled: true };
  if (!beside) connector.image = splitImage(options.image ?? "localhost/flyte-agent:latest");

  let values: Record<string, unknown>;
  if (options.chart === "flyte-core") {
    connector.plugin_config = { plugins: { "connector-service": section } };
    values = { flyteconnector: connector, configmap: { enabled_plugins: { tasks } } };
  } else if (flyte === 1) {
    values = { flyteconnector: connector, configuration: { connectorService: section }, enabled_plugins: { tasks } };
  } else {
    values = {
      flyteconnector: connector,
      configuration: { inline: { plugins: { "connector-service": section } } },
      enabled_plugins: { tasks },
    };
  }
  const doc = new Document(values);
  const lines = [
    ` Helm values for ${options.chart} (Flyte ${flyte}): flyte-agent propeller-config --format helm-values.`,
    beside
      ? ` This service runs beside the chart's Python connector (flyteconnector), as the ${options.deploymentName} deployment.`
      : " The chart's flyteconnector subchart runs this image; its hard-coded command (pyflyte serve agent / c0) starts flyte-agent serve.",
    " Secrets: flyteconnector.connectorSecret.secretData (mounted at /etc/secrets); see deploy/helm/README.md.",
  ];
  if (agents.length === 0) lines.push(" No agent plugin was found: nothing is routed to this service.");
  doc.commentBefore = lines.join("\n");
  return doc.toString({ lineWidth: 0 });
}
