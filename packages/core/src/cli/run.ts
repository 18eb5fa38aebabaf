import { type Command, Option } from "commander";
import { durationFlag } from "./flag-parsers";
import { connectionConfigFlag } from "./connection-flags";
import { addPluginSelectionOptions } from "./plugin-options";

/** The flags of `flyte-agent run`, as commander parses them. */
export interface RunFlags {
  input: string[];
  inputs?: string;
  endpoint?: string;
  tls?: boolean;
  caCert?: string;
  clientCert?: string;
  clientKey?: string;
  timeout?: number;
  pollInterval: number;
  maxPollInterval: number;
  rpcTimeout: number;
  output?: string;
  outputFormat: string;
  outputPrefix?: string;
  include?: string[];
  exclude?: string[];
  modules?: string[];
  strict?: boolean;
  protocol: "v1" | "v2";
  connectionSecret: string[];
  connectionConfig?: Record<string, string>;
  connectionTaskType?: string;
  allowUnknownCustom?: boolean;
}

/** Exit codes of `flyte-agent run`. */
export const RUN_EXIT = { ok: 0, failed: 1, rpc: 1, invalid: 2, timeout: 124, aborted: 130 } as const;

const collect = (value: string, previous: string[]) => [...previous, value];

/** Adds `flyte-agent run`. */
export function registerRun(program: Command, setExitCode: (code: number) => void): void {
  const command = program
    .command("run")
    .description(
      "Run one task to completion, in-process with the installed plugins or against a running agent service, and print its outputs",
    )
    .argument("<template>", "task template file: flyteidl JSON (camelCase or snake_case), YAML, or protobuf binary (.pb)")
    .option("-i, --input <name=value>", "an input, converted with the template's interface type (repeatable)", collect, [])
    .option("--inputs <file>", "inputs: a JSON/YAML object of values, a LiteralMap in JSON, or a LiteralMap .pb")
    .option("-e, --endpoint <host:port>", "run against this agent service instead of in-process")
    .option("--tls", "connect to --endpoint with TLS (system CA pool unless --ca-cert)")
    .option("--ca-cert <file>", "PEM CA bundle that signed the server certificate (implies --tls)")
    .option("--client-cert <file>", "PEM client certificate for mutual TLS (implies --tls)")
    .option("--client-key <file>", "PEM private key of --client-cert")
    .addOption(
      new Option("-t, --timeout <duration>", "give up after this long and delete the task (e.g. 90s, 10m)").argParser(
        durationFlag,
      ),
    )
    .addOption(
      new Option("--poll-interval <duration>", "first wait between two GetTask calls")
        .argParser(durationFlag)
        .default(1000, "1s"),
    )
    .addOption(
      new Option("--max-poll-interval <duration>", "longest wait between two GetTask calls")
        .argParser(durationFlag)
        .default(10_000, "10s"),
    )
    .addOption(
      new Option("--rpc-timeout <duration>", "deadline of each call to the agent service")
        .argParser(durationFlag)
        .default(30_000, "30s"),
    )
    .option("-o, --output <file>", "write the outputs here instead of stdout (.pb: LiteralMap in protobuf binary)")
    .option("--output-format <format>", "values (plain JSON) or literals (flyteidl LiteralMap JSON)", "values")
    .option("--output-prefix <prefix>", "output_prefix sent to the agent (default: a new temp directory)")
    .addOption(
      new Option("--protocol <protocol>", "v1: flyteidl agent services (Flyte 1); v2: flyteidl2 connectors (Flyte 2)")
        .choices(["v1", "v2"])
        .default("v1"),
    )
    .option(
      "--connection-secret <key=source>",
      "v2: a connection secret, its value read from env:NAME or file:PATH (repeatable)",
      collect,
      [],
    )
    .option("--connection-config <key=value>", "v2: a connection config (repeatable)", connectionConfigFlag)
    .option("--connection-task-type <type>", "v2: the connection's task_type (default: the template's type)")
    .option(
      "--allow-unknown-custom",
      "warn about, instead of refusing, keys of the template's custom that its agent does not declare",
    );
  // In-process runs only: the plugins to load.
  addPluginSelectionOptions(command).action(async (templatePath: string, flags: RunFlags) => {
    // The runner loads only for this command: `serve` never pays for it.
    const { runCommand } = require("./run-command") as typeof import("./run-command");
    setExitCode(await runCommand(templatePath, flags));
  });
}
