import type { Command } from "commander";
import { formatCategory } from "../agent";
import { AgentServer, DEFAULT_MAX_RECEIVE_BYTES } from "../server/agent-server";
import { createLogger } from "../logger";
import { buildRegistry, type PluginSelection } from "../load-plugins";
import { printTable } from "./table";

interface ServeFlags {
  port: string;
  host: string;
  prometheusPort: string;
  maxMessageSize: string;
  tlsCert?: string;
  tlsKey?: string;
  tlsClientCa?: string;
  drainTimeout: string;
  shutdownDelay: string;
  include?: string[];
  exclude?: string[];
  modules?: string[];
  strict?: boolean;
}

const int = (name: string, value: string, min = 0): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}, got "${value}"`);
  return n;
};

/** Adds `flyte-agent serve`. */
export function registerServe(program: Command, setExitCode: (code: number) => void): void {
  program
    .command("serve")
    .description(
      "Serve every installed agent plugin over gRPC (AsyncAgentService, SyncAgentService, AgentMetadataService, health, reflection)",
    )
    .option("-p, --port <port>", "gRPC port", process.env.FLYTE_AGENT_PORT ?? "8000")
    .option("--host <host>", "address to bind", process.env.FLYTE_AGENT_HOST ?? "0.0.0.0")
    .option(
      "--prometheus-port <port>",
      "port of the /metrics endpoint (-1 disables it)",
      process.env.FLYTE_AGENT_PROMETHEUS_PORT ?? "9090",
    )
    .option("--max-message-size <bytes>", "largest request accepted", String(DEFAULT_MAX_RECEIVE_BYTES))
    .option("--tls-cert <file>", "PEM certificate chain: serve TLS")
    .option("--tls-key <file>", "PEM private key for --tls-cert")
    .option("--tls-client-ca <file>", "PEM CA bundle: require client certificates (mutual TLS)")
    .option("--drain-timeout <ms>", "on SIGTERM/SIGINT, how long in-flight calls may finish", "10000")
    .option("--shutdown-delay <ms>", "on SIGTERM/SIGINT, how long to report NOT_SERVING before closing the listener", "0")
    .option("--include <packages...>", "serve only these plugin packages (env FLYTE_AGENT_INCLUDE, comma-separated)")
    .option("--exclude <packages...>", "do not serve these plugin packages (env FLYTE_AGENT_EXCLUDE, comma-separated)")
    .option("--modules <paths...>", "also load plugin modules from these paths (env FLYTE_AGENT_MODULES)")
    .option("--strict", "fail when a plugin package cannot be loaded (env FLYTE_AGENT_STRICT=true)")
    .action(async (flags: ServeFlags) => {
      const log = createLogger();
      const selection: PluginSelection = {
        include: flags.include,
        exclude: flags.exclude,
        modules: flags.modules,
        strict: flags.strict,
      };
      const { registry, problems } = await buildRegistry(selection);
      for (const p of problems) log.error({ package: p.name, reason: p.error }, `plugin ${p.name} failed to load: ${p.error}`);

      if (flags.tlsCert && !flags.tlsKey) throw new Error("--tls-cert needs --tls-key");
      if (flags.tlsKey && !flags.tlsCert) throw new Error("--tls-key needs --tls-cert");
      if (flags.tlsClientCa && !flags.tlsCert) throw new Error("--tls-client-ca needs --tls-cert and --tls-key");
      const server = new AgentServer({
        registry,
        logger: log,
        maxReceiveMessageBytes: int("max-message-size", flags.maxMessageSize, 1),
        tls: flags.tlsCert ? { certFile: flags.tlsCert, keyFile: flags.tlsKey, clientCaFile: flags.tlsClientCa } : undefined,
      });
      const promPort = Number(flags.prometheusPort);
      const port = await server.listen(
        int("port", flags.port),
        flags.host,
        promPort >= 0 ? int("prometheus-port", flags.prometheusPort) : undefined,
      );

      printTable(
        process.stderr,
        ["Agent", "Category", "Mode", "Package"],
        registry.entries().map(({ agent, source }) => [agent.name, formatCategory(agent.category), agent.kind, source]),
      );
      const tls = flags.tlsCert ? (flags.tlsClientCa ? "mutual TLS" : "TLS") : "plaintext";
      log.info(
        { port, metricsPort: server.metricsPort, agents: registry.size, tls },
        `serving ${registry.size} agent(s) on ${flags.host}:${port} (${tls})`,
      );

      process.on("unhandledRejection", (reason) => {
        log.error({ reason: reason instanceof Error ? reason.message : String(reason) }, "unhandled rejection in a plugin");
      });
      process.on("uncaughtException", (err) => {
        log.error({ error: err.message }, "uncaught exception in a plugin; still serving");
      });

      await new Promise<void>((resolve) => {
        const stop = (signal: NodeJS.Signals) => {
          log.info({ signal, inFlight: server.inFlight }, "shutting down");
          server
            .shutdown({ drainMs: int("drain-timeout", flags.drainTimeout), delayMs: int("shutdown-delay", flags.shutdownDelay) })
            .then(resolve, resolve);
        };
        process.once("SIGTERM", stop);
        process.once("SIGINT", stop);
      });
      log.info({}, "stopped");
      log.flush();
      setExitCode(0);
    });
}
