import { type Command, Option } from "commander";
import type { Logger } from "pino";
import { formatCategory } from "../agent";
import { describeErrorChain } from "../error-chain";
import { createLogger } from "../logger";
import { AgentMetrics, legacyMetricsFromEnv, type Protocol } from "../metrics";
import { setBuildInfo } from "../operations-metrics";
import type { AgentRegistry } from "../registry";
import {
  AgentServer,
  type AgentServerOptions,
  DEFAULT_MAX_CONCURRENT_STREAMS,
  DEFAULT_MAX_CONNECTION_AGE_GRACE_MS,
  DEFAULT_MAX_CONNECTION_AGE_MS,
  DEFAULT_MAX_RECEIVE_BYTES,
} from "../server/agent-server";
import { CORE_VERSION } from "../version";
import { parseProtocols } from "../server/protocols";
import { InvalidArgumentError } from "commander";
import { durationFlag, integerFlag, nonEmptyFlag, portFlag, readableFileFlag } from "./flag-parsers";
import type { LoadFailure } from "../discovery";
import { buildRegistry } from "../load-plugins";
import { addPluginSelectionOptions, type PluginSelectionFlags, selectionFromFlags } from "./plugin-options";
import { printTable } from "./table";
import { UsageError } from "./usage-error";

/** The flags of `flyte-agent serve`, parsed. */
export interface ServeFlags extends PluginSelectionFlags {
  port: number;
  host: string;
  prometheusPort: number;
  maxMessageSize: number;
  tlsCert?: string;
  tlsKey?: string;
  tlsClientCa?: string;
  drainTimeout: number;
  shutdownDelay: number;
  maxConnectionIdle: number;
  protocols: Protocol[];
  legacyMetrics?: boolean;
  maxConnectionAge: number;
  maxConnectionAgeGrace: number;
  allowEmpty?: boolean;
}

/** `--protocols`: a comma-separated list of v1, v2. */
function protocolsFlag(value: string): Protocol[] {
  try {
    return parseProtocols(value);
  } catch (err) {
    throw new InvalidArgumentError(`${(err as Error).message}.`);
  }
}

/** Exit code after an uncaught exception or unhandled rejection (after draining in-flight calls). */
export const FATAL_EXIT_CODE = 1;

/** The largest gRPC message size grpc-js accepts as a channel option (int32). */
const MAX_MESSAGE_BYTES = 2 ** 31 - 1;

function checkTlsFlags(flags: ServeFlags): void {
  if (flags.tlsCert && !flags.tlsKey) throw new UsageError("--tls-cert needs --tls-key");
  if (flags.tlsKey && !flags.tlsCert) throw new UsageError("--tls-key needs --tls-cert");
  if (flags.tlsClientCa && !flags.tlsCert) throw new UsageError("--tls-client-ca needs --tls-cert and --tls-key");
}

/**
 * Why serving would be pointless, or undefined: a plugin explicitly asked for with --include is
 * not installed, or no agent at all would be served.
 */
function nothingToServe(agents: number, problems: readonly LoadFailure[]): string | undefined {
  const notInstalled = problems.filter((p) => p.dir === "" && p.entry === "");
  if (notInstalled.length > 0) {
    return `not starting: ${notInstalled.map((p) => `${p.name}: ${p.error}`).join("; ")} (--allow-empty serves anyway)`;
  }
  if (agents === 0) {
    return "not starting: no agent would be served (no plugin is installed, or every one was excluded or failed to load); install a plugin (npm install @flyte-agent/template), or pass --allow-empty to serve health checks only";
  }
  return undefined;
}

/** A bind failure with the flag that chose the port: EADDRINUSE alone does not say which port is whose. */
function describeListenError(err: unknown, flags: ServeFlags): string {
  const e = err as NodeJS.ErrnoException & { port?: number };
  const message = err instanceof Error ? err.message : String(err);
  if (e.code !== "EADDRINUSE" && e.code !== "EACCES") return message;
  const why = e.code === "EADDRINUSE" ? "is in use" : "may not be bound by this user";
  if (e.port === flags.prometheusPort && flags.prometheusPort !== flags.port) {
    return `the metrics port ${flags.prometheusPort} (--prometheus-port, env FLYTE_AGENT_PROMETHEUS_PORT) ${why}: choose another with --prometheus-port <port>, or turn metrics off with --prometheus-port -1 (${message})`;
  }
  return `the gRPC port ${flags.port} (--port, env FLYTE_AGENT_PORT) ${why}: choose another with --port <port>, 0 for any free port (${message})`;
}

/**
 * The options `flyte-agent serve` gives the {@link AgentServer}: the one place flags become
 * server settings (the reliability suite serves its agents with these, from the default flags).
 */
export function serverOptions(flags: ServeFlags, registry: AgentRegistry, log: Logger): AgentServerOptions {
  return {
    registry,
    logger: log,
    maxReceiveMessageBytes: flags.maxMessageSize,
    maxConcurrentStreams: DEFAULT_MAX_CONCURRENT_STREAMS,
    maxConnectionIdleMs: flags.maxConnectionIdle,
    maxConnectionAgeMs: flags.maxConnectionAge,
    maxConnectionAgeGraceMs: flags.maxConnectionAgeGrace,
    protocols: flags.protocols,
    metrics: new AgentMetrics({ legacy: flags.legacyMetrics || legacyMetricsFromEnv() }),
    tls: flags.tlsCert ? { certFile: flags.tlsCert, keyFile: flags.tlsKey, clientCaFile: flags.tlsClientCa } : undefined,
  };
}

/** Adds `flyte-agent serve`. */
export function registerServe(program: Command, setExitCode: (code: number) => void): void {
  const command = program
    .command("serve")
    .description(
      "Serve every installed agent plugin over gRPC: flyteidl 1 agent services (Flyte 1.x) and flyteidl2 connector services (Flyte 2), health, reflection",
    )
    .addOption(
      new Option("-p, --port <port>", "gRPC port (0 picks a free one)").env("FLYTE_AGENT_PORT").argParser(portFlag).default(8000),
    )
    .addOption(new Option("--host <host>", "address to bind").env("FLYTE_AGENT_HOST").argParser(nonEmptyFlag).default("0.0.0.0"))
    .addOption(
      new Option("--prometheus-port <port>", "port of the /metrics endpoint (-1 disables it)")
        .env("FLYTE_AGENT_PROMETHEUS_PORT")
        .argParser(integerFlag(-1, 65_535))
        .default(9090),
    )
    .addOption(
      new Option("--max-message-size <bytes>", "largest request accepted, in bytes")
        .argParser(integerFlag(1, MAX_MESSAGE_BYTES))
        .default(DEFAULT_MAX_RECEIVE_BYTES),
    )
    .addOption(new Option("--tls-cert <file>", "PEM certificate chain: serve TLS").argParser(readableFileFlag))
    .addOption(new Option("--tls-key <file>", "PEM private key for --tls-cert").argParser(readableFileFlag))
    .addOption(
      new Option("--tls-client-ca <file>", "PEM CA bundle: require client certificates (mutual TLS)").argParser(readableFileFlag),
    )
    .addOption(
      new Option("--drain-timeout <duration>", "on SIGTERM/SIGINT or a fatal error, how long in-flight calls may finish")
        .env("FLYTE_AGENT_DRAIN_TIMEOUT")
        .argParser(durationFlag)
        .default(10_000, "10s"),
    )
    .addOption(
      new Option("--shutdown-delay <duration>", "on SIGTERM/SIGINT, how long to report NOT_SERVING before closing the listener")
        .env("FLYTE_AGENT_SHUTDOWN_DELAY")
        .argParser(durationFlag)
        .default(0, "0s"),
    )
    .addOption(
      new Option("--max-connection-idle <duration>", "close a connection that has had no call open for this long (0: never)")
        .env("FLYTE_AGENT_MAX_CONNECTION_IDLE")
        .argParser(durationFlag)
        .default(0, "0s"),
    )
    .addOption(
      new Option(
        "--protocols <list>",
        "wire protocols to serve, comma-separated: v1 (flyteidl agent services, Flyte 1.x propellers), v2 (flyteidl2 connector services, Flyte 2)",
      )
        .env("FLYTE_AGENT_PROTOCOLS")
        .argParser(protocolsFlag)
        .default(["v1", "v2"], "v1,v2"),
    )
    .addOption(
      new Option(
        "--max-connection-age <duration>",
        "close every connection after about this long (+-10%; clients reconnect); bounds how long a slow client holds memory (0: never)",
      )
        .env("FLYTE_AGENT_MAX_CONNECTION_AGE")
        .argParser(durationFlag)
        .default(DEFAULT_MAX_CONNECTION_AGE_MS, "30m"),
    )
    .addOption(
      new Option(
        "--max-connection-age-grace <duration>",
        "when a connection reaches its maximum age, how long its open calls may still run",
      )
        .env("FLYTE_AGENT_MAX_CONNECTION_AGE_GRACE")
        .argParser(durationFlag)
        .default(DEFAULT_MAX_CONNECTION_AGE_GRACE_MS, "1m"),
    )
    .addOption(
      new Option(
        "--legacy-metrics",
        "also record the deprecated flyte_agent_* metric names for existing dashboards (env FLYTE_AGENT_LEGACY_METRICS=true)",
      ),
    )
    .addOption(new Option("--allow-empty", "keep serving when no agent would be served or an included plugin is not installed"));
  addPluginSelectionOptions(command).action(async (flags: ServeFlags) => {
    checkTlsFlags(flags);
    const log = createLogger();
    const { registry, problems } = await buildRegistry(selectionFromFlags(flags));
    for (const p of problems) log.error({ package: p.name, reason: p.error }, `plugin ${p.name} failed to load: ${p.error}`);
    const refusal = flags.allowEmpty ? undefined : nothingToServe(registry.size, problems);
    if (refusal) {
      process.stderr.write(`flyte-agent serve: ${refusal}\n`);
      await new Promise<void>((resolve) => log.flush(() => resolve()));
      setExitCode(1);
      return;
    }

    const server = new AgentServer(serverOptions(flags, registry, log));
    setBuildInfo({ version: CORE_VERSION, plugins: registry.entries().map((e) => e.source) });
    let port: number;
    try {
      port = await server.listen(flags.port, flags.host, flags.prometheusPort >= 0 ? flags.prometheusPort : undefined);
    } catch (err) {
      throw new Error(describeListenError(err, flags));
    }

    printTable(
      process.stderr,
      ["Agent", "Category", "Mode", "Package"],
      registry.entries().map(({ agent, source }) => [agent.name, formatCategory(agent.category), agent.kind, source]),
    );
    // Handlers first: a supervisor may send SIGTERM as soon as it reads the line below.
    const stopped = untilStopped(server, log, { drainMs: flags.drainTimeout, delayMs: flags.shutdownDelay });
    const tls = flags.tlsCert ? (flags.tlsClientCa ? "mutual TLS" : "TLS") : "plaintext";
    log.info(
      { port, metricsPort: server.metricsPort, agents: registry.size, tls, protocols: server.protocols, limits: server.limits },
      `serving ${registry.size} agent(s) on ${flags.host}:${port} (${tls}; ${server.protocols.join(", ")})`,
    );

    const code = await stopped;
    log.info({ exitCode: code }, "stopped");
    await new Promise<void>((resolve) => log.flush(() => resolve()));
    setExitCode(code);
    // After a fatal error, whatever the plugin left behind (timers, sockets) must not keep the process alive.
    if (code !== 0) process.exit(code);
  });
}

/**
 * Serves until SIGTERM/SIGINT (graceful stop, exit code 0) or an uncaught exception or
 * unhandled rejection anywhere in the process (logged with its cause, then the same graceful
 * stop without the NOT_SERVING delay, exit code {@link FATAL_EXIT_CODE}). The process's state is
 * unknown after such an error, so it is not kept serving; the orchestrator restarts it.
 */
function untilStopped(server: AgentServer, log: Logger, options: { drainMs: number; delayMs: number }): Promise<number> {
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (code: number, delayMs: number) => {
      if (stopping) return;
      stopping = true;
      server.shutdown({ drainMs: options.drainMs, delayMs }).then(
        () => resolve(code),
        (err: unknown) => {
          log.error({ error: describeErrorChain(err) }, "shutdown failed");
          resolve(FATAL_EXIT_CODE);
        },
      );
    };
    const onSignal = (signal: NodeJS.Signals) => {
      log.info({ signal, inFlight: server.inFlight }, "shutting down");
      stop(0, options.delayMs);
    };
    const onFatal = (what: string) => (err: unknown) => {
      log.fatal(
        { error: describeErrorChain(err), stack: err instanceof Error ? err.stack : undefined, inFlight: server.inFlight },
        `${what}; draining in-flight calls, then exiting with code ${FATAL_EXIT_CODE}`,
      );
      if (stopping) return;
      // The drain is bounded by drainMs; this is the backstop should the shutdown itself hang.
      setTimeout(() => process.exit(FATAL_EXIT_CODE), options.drainMs + 5000).unref();
      stop(FATAL_EXIT_CODE, 0);
    };
    process.once("SIGTERM", onSignal);
    process.once("SIGINT", onSignal);
    process.on("uncaughtException", onFatal("uncaught exception"));
    process.on("unhandledRejection", onFatal("unhandled rejection"));
  });
}
