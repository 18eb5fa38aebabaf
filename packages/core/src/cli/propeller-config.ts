import { type Command, InvalidArgumentError, Option } from "commander";
import type { Agent } from "../agent";
import { formatCategory } from "../agent";
import { formatDuration, parseDuration } from "../duration";
import { durationFlag, durationParser } from "./flag-parsers";
import { buildRegistry, describeProblem } from "../load-plugins";
import { addPluginSelectionOptions, type PluginSelectionFlags, selectionFromFlags } from "./plugin-options";
import { UsageError } from "./usage-error";
import { addHelmValuesOptions, type HelmValuesFlags, helmValuesFromFlags } from "./helm-values-flags";

/** Options of {@link propellerConfig}. */
export interface PropellerConfigOptions {
  /**
   * gRPC target propeller dials.
   * @default `dns:///<deploymentName or "flyte-agent">.<namespace>.svc.cluster.local:8000` (the headless Service)
   */
  endpoint?: string;
  /** Namespace of the agent Service, used in the default endpoint. @default "flyte" */
  namespace?: string;
  /**
   * Name of this agent deployment. When set, the endpoint goes under `agents.<name>`
   * (`connectors.<name>`) and every version-0 task type served is pinned to it with
   * `agentForTaskTypes`; when unset it becomes `defaultAgent` and routing comes from ListAgents.
   * @default undefined
   */
  deploymentName?: string;
  /** Dial with TLS (system CA pool) instead of plaintext. @default false */
  tls?: boolean;
  /**
   * Which Flyte reads the configuration: 1 (FlytePropeller 1.16, the `flyteidl.service` agent
   * protocol) or 2 (the Flyte 2 executor, the `flyteidl2.connector` protocol; always the
   * `connector-service` plugin, without ExecuteTaskSync). @default 1
   */
  flyte?: FlyteGeneration;
  /**
   * The Flyte 1 plugin id: `agent-service`, or `connector-service` (Flyte 1.15.3 and later; the
   * one the flyte-core Helm chart enables). Flyte 2 has only `connector-service`.
   * @default "agent-service" for Flyte 1, "connector-service" for Flyte 2
   */
  plugin?: PropellerPluginId;
  /** Shorthand for `plugin: "connector-service"`. @default false */
  connector?: boolean;
  /**
   * Deadline of CreateTask, GetTask, DeleteTask and ExecuteTaskSync, in core's duration syntax
   * (`500ms`, `10s`, `2m`; a bare integer is milliseconds). @default "10s"
   */
  timeout?: string;
  /** Deadline of ListAgents, in the same syntax. @default "3s" */
  listTimeout?: string;
}

/** The Flyte generation a configuration is written for. */
export type FlyteGeneration = 1 | 2;

/** The propeller / executor plugin ids that call an agent service. */
export type PropellerPluginId = "agent-service" | "connector-service";

const PLUGIN_IDS: readonly PropellerPluginId[] = ["agent-service", "connector-service"];

const DEPLOYMENT_NAME = /^[A-Za-z0-9_.-]+$/;

/** A duration in the one syntax, written the way propeller's Go configuration reads it. */
function goDuration(flag: string, value: string): string {
  try {
    return formatDuration(parseDuration(value, flag));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/**
 * Task types that FlytePropeller also has a built-in web-API plugin for (task type -> plugin id).
 * `default-for-task-types` routes them to the agent; the comment tells operators to drop the
 * built-in plugin (and its credentials) from their configuration.
 */
const PROPELLER_BUILTIN_PLUGINS: Readonly<Record<string, string>> = { snowflake: "snowflake" };

/**
 * The names that differ between the agent and the connector plugin (Flyte 1.16's
 * `connector-service` and Flyte 2's read the same keys, including the `ListConnectors` timeout).
 */
function naming(plugin: PropellerPluginId) {
  return plugin === "connector-service"
    ? {
        plugin,
        defaultKey: "defaultConnector",
        mapKey: "connectors",
        forTypesKey: "connectorForTaskTypes",
        listKey: "ListConnectors",
      }
    : { plugin, defaultKey: "defaultAgent", mapKey: "agents", forTypesKey: "agentForTaskTypes", listKey: "ListAgents" };
}

/** The plugin id for the options, refusing combinations Flyte cannot read. */
function pluginOf(options: PropellerConfigOptions): PropellerPluginId {
  const flyte = options.flyte ?? 1;
  if (flyte !== 1 && flyte !== 2) throw new UsageError(`--flyte must be 1 or 2, got ${String(flyte)}`);
  if (options.plugin !== undefined && !PLUGIN_IDS.includes(options.plugin)) {
    throw new UsageError(`--plugin must be ${PLUGIN_IDS.join(" or ")}, got "${String(options.plugin)}"`);
  }
  if (options.connector && options.plugin === "agent-service") {
    throw new UsageError("--connector and --plugin agent-service contradict each other: pick one");
  }
  if (flyte === 2 && options.plugin === "agent-service") {
    throw new UsageError("Flyte 2 has no agent-service plugin: --flyte 2 always writes connector-service");
  }
  if (flyte === 2 || options.connector) return "connector-service";
  return options.plugin ?? "agent-service";
}

/**
 * The FlytePropeller (Flyte 1) or executor (Flyte 2) configuration, as YAML text, routing the
 * given agents' task types to this agent service: `tasks.task-plugins` (`enabled-plugins` on
 * Flyte 1 only, `default-for-task-types`) and the `plugins.agent-service` or
 * `plugins.connector-service` section.
 *
 * @throws UsageError when the options contradict each other or a value is malformed
 */
export function propellerConfig(agents: readonly Agent[], options: PropellerConfigOptions = {}): string {
  const timeout = goDuration("--timeout", options.timeout ?? "10s");
  const listTimeout = goDuration("--list-timeout", options.listTimeout ?? "3s");
  if (options.deploymentName !== undefined && !DEPLOYMENT_NAME.test(options.deploymentName)) {
    throw new UsageError(`--deployment-name must be letters, digits, "_", "." or "-", got "${options.deploymentName}"`);
  }
  const flyte = options.flyte ?? 1;
  const names = naming(pluginOf(options));
  const namespace = options.namespace ?? "flyte";
  const host = options.deploymentName ?? "flyte-agent";
  const endpoint = options.endpoint ?? `dns:///${host}.${namespace}.svc.cluster.local:8000`;

  const syncTypes = [...new Set(agents.filter((a) => a.kind === "sync").map((a) => formatCategory(a.category)))].sort();
  // Flyte 2 has no sync service, and this service refuses a sync category over flyteidl2: the
  // executor is given only the async agents' task types.
  const routed = flyte === 1 ? agents : agents.filter((a) => a.kind === "async");
  const taskTypes = [...new Set(routed.map((a) => a.category.name))].sort();
  const versioned = routed.filter((a) => a.category.version !== 0).map((a) => formatCategory(a.category));
  const pinned = [...new Set(routed.filter((a) => a.category.version === 0).map((a) => a.category.name))].sort();

  const timeouts: Record<string, string> = {
    CreateTask: timeout,
    GetTask: timeout,
    DeleteTask: timeout,
    [names.listKey]: listTimeout,
  };
  // Flyte 2 has no sync service, so its executor never sends ExecuteTaskSync.
  // A sync agent may need longer than the RPC timeout (a chat completion): the longest need wins.
  const syncNeeds = agents
    .filter((a) => a.kind === "sync" && (a.minExecuteDeadlineMs ?? 0) > parseDuration(timeout))
    .map((a) => ({
      category: formatCategory(a.category),
      ms: Math.ceil((a as { minExecuteDeadlineMs: number }).minExecuteDeadlineMs / 1000) * 1000,
    }))
    .sort((a, b) => b.ms - a.ms || a.category.localeCompare(b.category));
  const syncTimeout = syncNeeds[0] ? formatDuration(syncNeeds[0].ms) : timeout;
  if (syncTypes.length > 0 && flyte === 1) timeouts.ExecuteTaskSync = syncTimeout;
  const deployment = {
    endpoint,
    insecure: !(options.tls ?? false),
    defaultTimeout: timeout,
    timeouts,
    defaultServiceConfig: '{"loadBalancingConfig": [{"round_robin":{}}]}',
  };

  const section: Record<string, unknown> = options.deploymentName
    ? {
        [names.mapKey]: { [options.deploymentName]: deployment },
        [names.forTypesKey]: Object.fromEntries(pinned.map((t) => [t, options.deploymentName])),
      }
    : { [names.defaultKey]: deployment };
  section.pollInterval = "10s";

  const { Document } = require("yaml") as typeof import("yaml"); // loaded only for this command
  const defaultForTaskTypes = Object.fromEntries(taskTypes.map((t) => [t, names.plugin]));
  // Flyte 2's executor loads every plugin it knows; only Flyte 1 has an enabled-plugins list.
  const taskPlugins =
    flyte === 1
      ? { "enabled-plugins": ["container", "sidecar", "k8s-array", names.plugin], "default-for-task-types": defaultForTaskTypes }
      : { "default-for-task-types": defaultForTaskTypes };
  const doc = new Document({ tasks: { "task-plugins": taskPlugins }, plugins: { [names.plugin]: section } });
  const lines =
    flyte === 1
      ? [
          ` FlytePropeller (Flyte 1) configuration for the ${agents.length} agent(s) served here (flyte-agent propeller-config).`,
          ` Merge it into propeller's configuration; keep the other plugins you already enable.`,
        ]
      : [
          ` Flyte 2 executor configuration for the ${agents.length} agent(s) served here (flyte-agent propeller-config --flyte 2).`,
          ` The executor calls flyteidl2.connector.AsyncConnectorService on this endpoint; merge it into its configuration.`,
        ];
  if (flyte === 2 && syncTypes.length > 0) {
    lines.push(` Sync agents (${syncTypes.join(", ")}) are not routed here: Flyte 2 has no sync service, and this`);
    lines.push(` service refuses their categories over flyteidl2 (FAILED_PRECONDITION). Run them from Flyte 1.`);
  }
  if (taskTypes.length === 0) {
    lines.push(
      agents.length === 0
        ? " No agent plugin was found: nothing is routed to this service."
        : " No async agent: nothing is routed to this service.",
    );
  }
  if (flyte === 1 && syncNeeds[0]) {
    const who = syncNeeds.map((n) => `${n.category} up to ${formatDuration(n.ms)}`).join(", ");
    lines.push(` ExecuteTaskSync is ${syncTimeout}, longer than ${timeout}: sync agents need it (${who}).`);
  }
  for (const t of taskTypes.filter((type) => Object.hasOwn(PROPELLER_BUILTIN_PLUGINS, type))) {
    lines.push(
      flyte === 1
        ? ` ${t} tasks go to this service: remove propeller's built-in "${PROPELLER_BUILTIN_PLUGINS[t]}" plugin from enabled-plugins.`
        : ` ${t} tasks go to this service: default-for-task-types routes them here, not to the executor's built-in "${PROPELLER_BUILTIN_PLUGINS[t]}" plugin.`,
    );
  }
  if (versioned.length > 0) {
    const discovery = flyte === 1 ? "ListAgents" : "ListConnectors";
    lines.push(` Versioned categories (${versioned.join(", ")}) are routed by ${discovery} discovery,`);
    lines.push(` which ${flyte === 1 ? "propeller" : "the executor"} polls every pollInterval.`);
  }
  doc.commentBefore = lines.join("\n");
  return doc.toString({ lineWidth: 0 });
}

interface PropellerConfigFlags extends PluginSelectionFlags, HelmValuesFlags {
  endpoint?: string;
  namespace: string;
  deploymentName?: string;
  tls?: boolean;
  insecure?: boolean;
  connector?: boolean;
  flyte: FlyteGeneration;
  plugin?: PropellerPluginId;
  timeout: string;
  listTimeout: string;
}

const flyteFlag = (value: string): FlyteGeneration => {
  if (value.trim() === "1") return 1;
  if (value.trim() === "2") return 2;
  throw new InvalidArgumentError("Expected 1 (FlytePropeller 1.16) or 2 (the Flyte 2 executor).");
};

/** Checks a duration flag while parsing and keeps it as propeller's Go duration text. */
const durationTextFlag = durationParser((value: string): string => formatDuration(durationFlag(value)));

const deploymentNameFlag = (value: string): string => {
  if (!DEPLOYMENT_NAME.test(value)) throw new InvalidArgumentError('Expected letters, digits, "_", "." or "-".');
  return value;
};

/** Adds `flyte-agent propeller-config`. */
export function registerPropellerConfig(program: Command, setExitCode: (code: number) => void): void {
  addPluginSelectionOptions(
    addHelmValuesOptions(program.command("propeller-config"))
      .description(
        "Print the FlytePropeller (Flyte 1) or executor (Flyte 2) configuration (YAML) for the agents this install serves",
      )
      .option(
        "--endpoint <target>",
        "gRPC target propeller dials (default: dns:///<deployment>.<namespace>.svc.cluster.local:8000)",
      )
      .option("--namespace <namespace>", "namespace of the agent Service, for the default endpoint", "flyte")
      .option(
        "--deployment-name <name>",
        "name this deployment in `agents:` and pin its task types with agentForTaskTypes",
        deploymentNameFlag,
      )
      .option("--tls", "propeller dials with TLS (insecure: false)")
      .option("--insecure", "propeller dials plaintext (insecure: true; the default)")
      .option(
        "--flyte <version>",
        "1: FlytePropeller 1.16 (flyteidl agent protocol); 2: the Flyte 2 executor (flyteidl2 connectors)",
        flyteFlag,
        1,
      )
      .addOption(
        new Option("--plugin <id>", "Flyte 1 plugin id (connector-service is the flyte-core Helm chart's default)").choices(
          PLUGIN_IDS,
        ),
      )
      .option("--connector", "same as --plugin connector-service (defaultConnector, connectors, connectorForTaskTypes)")
      .option("--timeout <duration>", "deadline of CreateTask, GetTask, DeleteTask, ExecuteTaskSync", durationTextFlag, "10s")
      .option("--list-timeout <duration>", "deadline of ListAgents (ListConnectors)", durationTextFlag, "3s"),
  ).action(async (flags: PropellerConfigFlags) => {
    if (flags.tls && flags.insecure) throw new UsageError("--tls and --insecure contradict each other: pick one");
    const { registry, problems } = await buildRegistry(selectionFromFlags(flags));
    for (const p of problems) process.stderr.write(`${describeProblem(p)}\n`);
    const helm = helmValuesFromFlags(
      registry.entries().map((e) => e.agent),
      flags,
    );
    if (helm !== undefined) {
      process.stdout.write(helm);
      setExitCode(0);
      return;
    }
    const text = propellerConfig(
      registry.entries().map((e) => e.agent),
      {
        endpoint: flags.endpoint,
        namespace: flags.namespace,
        deploymentName: flags.deploymentName,
        tls: flags.tls ?? false,
        connector: flags.connector ?? false,
        flyte: flags.flyte,
        plugin: flags.plugin,
        timeout: flags.timeout,
        listTimeout: flags.listTimeout,
      },
    );
    process.stdout.write(text);
    setExitCode(0);
  });
}
