import { type Command, InvalidArgumentError } from "commander";
import type { Agent } from "../agent";
import { formatCategory } from "../agent";
import { formatDuration, parseDuration } from "../duration";
import { durationFlag } from "./flag-parsers";
import { buildRegistry, describeProblem } from "../load-plugins";
import { addPluginSelectionOptions, type PluginSelectionFlags, selectionFromFlags } from "./plugin-options";
import { UsageError } from "./usage-error";

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
  /** Use the `connector-service` plugin naming (Flyte's newer name for agents). @default false */
  connector?: boolean;
  /**
   * Deadline of CreateTask, GetTask, DeleteTask and ExecuteTaskSync, in core's duration syntax
   * (`500ms`, `10s`, `2m`; a bare integer is milliseconds). @default "10s"
   */
  timeout?: string;
  /** Deadline of ListAgents, in the same syntax. @default "3s" */
  listTimeout?: string;
}

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

/** The propeller-side names that differ between the agent and the connector plugin. */
function naming(connector: boolean) {
  return connector
    ? { plugin: "connector-service", defaultKey: "defaultConnector", mapKey: "connectors", forTypesKey: "connectorForTaskTypes" }
    : { plugin: "agent-service", defaultKey: "defaultAgent", mapKey: "agents", forTypesKey: "agentForTaskTypes" };
}

/**
 * The FlytePropeller configuration (YAML text) routing the given agents' task types to this
 * agent service: `tasks.task-plugins` (enabled-plugins, default-for-task-types) and the
 * `plugins.agent-service` (or `connector-service`) section.
 */
export function propellerConfig(agents: readonly Agent[], options: PropellerConfigOptions = {}): string {
  const timeout = goDuration("--timeout", options.timeout ?? "10s");
  const listTimeout = goDuration("--list-timeout", options.listTimeout ?? "3s");
  if (options.deploymentName !== undefined && !DEPLOYMENT_NAME.test(options.deploymentName)) {
    throw new UsageError(`--deployment-name must be letters, digits, "_", "." or "-", got "${options.deploymentName}"`);
  }
  const names = naming(options.connector ?? false);
  const namespace = options.namespace ?? "flyte";
  const host = options.deploymentName ?? "flyte-agent";
  const endpoint = options.endpoint ?? `dns:///${host}.${namespace}.svc.cluster.local:8000`;

  const taskTypes = [...new Set(agents.map((a) => a.category.name))].sort();
  const versioned = agents.filter((a) => a.category.version !== 0).map((a) => formatCategory(a.category));
  const pinned = [...new Set(agents.filter((a) => a.category.version === 0).map((a) => a.category.name))].sort();
  const hasSync = agents.some((a) => a.kind === "sync");

  const timeouts: Record<string, string> = {
    CreateTask: timeout,
    GetTask: timeout,
    DeleteTask: timeout,
    ListAgents: listTimeout,
  };
  if (hasSync) timeouts.ExecuteTaskSync = timeout;
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
  const doc = new Document({
    tasks: {
      "task-plugins": {
        "enabled-plugins": ["container", "sidecar", "k8s-array", names.plugin],
        "default-for-task-types": Object.fromEntries(taskTypes.map((t) => [t, names.plugin])),
      },
    },
    plugins: { [names.plugin]: section },
  });
  const lines = [
    ` FlytePropeller configuration for the ${agents.length} agent(s) served here (flyte-agent propeller-config).`,
    ` Merge it into propeller's configuration; keep the other plugins you already enable.`,
  ];
  if (taskTypes.length === 0) lines.push(" No agent plugin was found: nothing is routed to this service.");
  for (const t of taskTypes.filter((type) => Object.hasOwn(PROPELLER_BUILTIN_PLUGINS, type))) {
    lines.push(
      ` ${t} tasks go to this service: remove propeller's built-in "${PROPELLER_BUILTIN_PLUGINS[t]}" plugin from enabled-plugins.`,
    );
  }
  if (versioned.length > 0) {
    lines.push(` Versioned categories (${versioned.join(", ")}) are routed by ListAgents discovery,`);
    lines.push(` which propeller polls every pollInterval.`);
  }
  doc.commentBefore = lines.join("\n");
  return doc.toString({ lineWidth: 0 });
}

interface PropellerConfigFlags extends PluginSelectionFlags {
  endpoint?: string;
  namespace: string;
  deploymentName?: string;
  tls?: boolean;
  insecure?: boolean;
  connector?: boolean;
  timeout: string;
  listTimeout: string;
}

/** Checks a duration flag while parsing and keeps it as propeller's Go duration text. */
const durationTextFlag = (value: string): string => formatDuration(durationFlag(value));

const deploymentNameFlag = (value: string): string => {
  if (!DEPLOYMENT_NAME.test(value)) throw new InvalidArgumentError('Expected letters, digits, "_", "." or "-".');
  return value;
};

/** Adds `flyte-agent propeller-config`. */
export function registerPropellerConfig(program: Command, setExitCode: (code: number) => void): void {
  addPluginSelectionOptions(
    program
      .command("propeller-config")
      .description("Print the FlytePropeller configuration (YAML) for the agents this install serves")
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
      .option("--connector", "use the connector-service naming (defaultConnector, connectors, connectorForTaskTypes)")
      .option("--timeout <duration>", "deadline of CreateTask, GetTask, DeleteTask, ExecuteTaskSync", durationTextFlag, "10s")
      .option("--list-timeout <duration>", "deadline of ListAgents", durationTextFlag, "3s"),
  ).action(async (flags: PropellerConfigFlags) => {
    if (flags.tls && flags.insecure) throw new UsageError("--tls and --insecure contradict each other: pick one");
    const { registry, problems } = await buildRegistry(selectionFromFlags(flags));
    for (const p of problems) process.stderr.write(`${describeProblem(p)}\n`);
    const text = propellerConfig(
      registry.entries().map((e) => e.agent),
      {
        endpoint: flags.endpoint,
        namespace: flags.namespace,
        deploymentName: flags.deploymentName,
        tls: flags.tls ?? false,
        connector: flags.connector ?? false,
        timeout: flags.timeout,
        listTimeout: flags.listTimeout,
      },
    );
    process.stdout.write(text);
    setExitCode(0);
  });
}
