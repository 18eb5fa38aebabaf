import { type Command, Option } from "commander";
import type { Agent } from "../agent";
import { HELM_CHARTS, type HelmChart, helmValues } from "./helm-values";
import type { FlyteGeneration, PropellerPluginId } from "./propeller-config";
import { UsageError } from "./usage-error";

/** The output formats of `flyte-agent propeller-config`. */
export type PropellerConfigFormat = "yaml" | "helm-values";

/** The flags `propeller-config` shares with {@link helmValuesFromFlags}. */
export interface HelmValuesFlags {
  format?: PropellerConfigFormat;
  chart?: HelmChart;
  image?: string;
  endpoint?: string;
  namespace: string;
  deploymentName?: string;
  tls?: boolean;
  flyte: FlyteGeneration;
  plugin?: PropellerPluginId;
  timeout: string;
  listTimeout: string;
}

/** Adds `--format`, `--chart` and `--image` to `propeller-config`. */
export function addHelmValuesOptions(command: Command): Command {
  return command
    .addOption(
      new Option("--format <format>", "yaml: propeller's configuration; helm-values: values for Flyte's Helm chart (--chart)")
        .choices(["yaml", "helm-values"])
        .default("yaml"),
    )
    .addOption(new Option("--chart <chart>", "with --format helm-values: the chart the values are for").choices(HELM_CHARTS))
    .option(
      "--image <repository:tag>",
      "with --format helm-values: the image flyteconnector runs (default: localhost/flyte-agent:latest)",
    );
}

/**
 * The Helm values fragment when the flags ask for one (`--format helm-values`), else undefined.
 * @throws UsageError when `--chart` or `--image` come without `--format helm-values`, or the
 * values would need the agent-service plugin (the charts enable connector-service)
 */
export function helmValuesFromFlags(agents: readonly Agent[], flags: HelmValuesFlags): string | undefined {
  if (flags.format !== "helm-values") {
    if (flags.chart !== undefined || flags.image !== undefined) {
      throw new UsageError("--chart and --image need --format helm-values");
    }
    return undefined;
  }
  if (flags.chart === undefined) throw new UsageError("--format helm-values needs --chart flyte-core or --chart flyte-binary");
  if (flags.plugin === "agent-service") {
    throw new UsageError(
      "--format helm-values writes the connector-service plugin the charts enable: drop --plugin agent-service",
    );
  }
  if (flags.deploymentName !== undefined && flags.image !== undefined) {
    throw new UsageError(
      "--image sets the chart's flyteconnector image; with --deployment-name this service runs beside it: deploy its image with deploy/kubernetes",
    );
  }
  return helmValues(agents, {
    chart: flags.chart,
    flyte: flags.flyte,
    image: flags.image,
    namespace: flags.namespace,
    deploymentName: flags.deploymentName,
    endpoint: flags.endpoint,
    tls: flags.tls,
    timeout: flags.timeout,
    listTimeout: flags.listTimeout,
  });
}
