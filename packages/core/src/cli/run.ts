import { writeFileSync } from "node:fs";
import { type Command, Option } from "commander";
import { core } from "@flyte-agent/flyteidl";
import { durationFlag } from "./flag-parsers";
import { connectionConfigFlag, connectionFromFlags, resolveConnectionSecrets } from "./connection-flags";
import { addPluginSelectionOptions } from "./plugin-options";
import { loadInputsFile, parseInputFlags } from "../runner/input-values";
import { toJsonOut } from "../runner/output-json";
import { ProgressDisplay } from "../runner/progress-display";
import { TaskRunError } from "../runner/run-error";
import { runTask } from "../runner/run-task";
import { speaksTls } from "../runner/tls-probe";
import { loadTemplateFile } from "../runner/template-file";
import type { ClientTlsOptions, RunResult } from "../runner/types";

interface RunFlags {
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

function tlsOptions(flags: RunFlags): boolean | ClientTlsOptions {
  if (!flags.tls && !flags.caCert && !flags.clientCert) return false;
  if (!flags.endpoint) throw new UsageError("--tls, --ca-cert and --client-cert need --endpoint");
  if (Boolean(flags.clientCert) !== Boolean(flags.clientKey)) throw new UsageError("--client-cert and --client-key go together");
  return { caFile: flags.caCert, certFile: flags.clientCert, keyFile: flags.clientKey };
}

class UsageError extends Error {}

function writeOutputs(result: RunResult, flags: RunFlags): void {
  if (flags.output?.toLowerCase().endsWith(".pb")) {
    writeFileSync(flags.output, core.LiteralMap.encode(result.outputs).finish());
    process.stderr.write(`outputs written to ${flags.output} (LiteralMap, protobuf binary)\n`);
    return;
  }
  const json = flags.outputFormat === "literals" ? core.LiteralMap.toJSON(result.outputs) : toJsonOut(result.values);
  const text = `${JSON.stringify(json, null, 2)}\n`;
  if (flags.output) {
    writeFileSync(flags.output, text);
    process.stderr.write(`outputs written to ${flags.output}\n`);
  } else {
    process.stdout.write(text);
  }
}

/** After a plaintext call failed: a hint when the server speaks TLS, else "". */
async function tlsHint(endpoint: string): Promise<string> {
  if (!(await speaksTls(endpoint))) return "";
  return `\nhint: ${endpoint} speaks TLS; add --tls (and --ca-cert <file> when a private CA signed its certificate)`;
}

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
    setExitCode(await run(templatePath, flags));
  });
}

async function run(templatePath: string, flags: RunFlags): Promise<number> {
  const fail = (code: number, message: string) => {
    process.stderr.write(`flyte-agent run: ${message}\n`);
    return code;
  };
  let options: Parameters<typeof runTask>[0];
  try {
    if (flags.outputFormat !== "values" && flags.outputFormat !== "literals") {
      throw new UsageError(`--output-format must be values or literals, got "${flags.outputFormat}"`);
    }
    if (flags.endpoint && (flags.include || flags.exclude || flags.modules || flags.strict)) {
      throw new UsageError("--include, --exclude, --modules and --strict apply to in-process runs, not with --endpoint");
    }
    const connectionGiven = flags.connectionSecret.length > 0 || flags.connectionConfig !== undefined || flags.connectionTaskType;
    if (connectionGiven && flags.protocol !== "v2") {
      throw new UsageError("--connection-secret, --connection-config and --connection-task-type need --protocol v2");
    }
    const template = loadTemplateFile(templatePath);
    const fromFile = flags.inputs ? loadInputsFile(flags.inputs, template) : { values: {} };
    if (fromFile.literals && flags.input.length > 0)
      throw new UsageError("--input cannot be combined with a LiteralMap --inputs file");
    const values = { ...fromFile.values, ...parseInputFlags(flags.input, template) };
    options = {
      template,
      inputs: values,
      inputLiterals: fromFile.literals,
      endpoint: flags.endpoint,
      tls: tlsOptions(flags),
      plugins: { include: flags.include, exclude: flags.exclude, modules: flags.modules, strict: flags.strict },
      timeoutMs: flags.timeout,
      pollIntervalMs: flags.pollInterval,
      maxPollIntervalMs: flags.maxPollInterval,
      rpcTimeoutMs: flags.rpcTimeout,
      outputPrefix: flags.outputPrefix,
      protocol: flags.protocol,
      unknownCustomKeys: flags.allowUnknownCustom ? "warn" : "error",
      connection: connectionFromFlags(
        resolveConnectionSecrets(flags.connectionSecret),
        flags.connectionConfig ?? {},
        flags.connectionTaskType,
        template.type,
      ),
    };
  } catch (err) {
    return fail(RUN_EXIT.invalid, (err as Error).message);
  }

  const display = new ProgressDisplay(process.stderr, process.stderr.isTTY === true);
  const abort = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts += 1;
    if (interrupts === 1) {
      display.line("interrupted: deleting the task (Ctrl-C again to quit at once)");
      abort.abort();
      return;
    }
    display.close();
    process.stderr.write("flyte-agent run: quit before the task was deleted\n");
    process.exit(RUN_EXIT.aborted);
  };
  process.on("SIGINT", onSigint);
  try {
    const result = await runTask({ ...options, signal: abort.signal, onEvent: display.onEvent });
    display.close();
    writeOutputs(result, flags);
    return RUN_EXIT.ok;
  } catch (err) {
    display.close();
    if (err instanceof TaskRunError) {
      const hint = err.reason === "rpc" && flags.endpoint && options.tls === false ? await tlsHint(flags.endpoint) : "";
      return fail(RUN_EXIT[err.reason], `${err.message}${hint}`);
    }
    return fail(RUN_EXIT.failed, (err as Error).message);
  } finally {
    process.off("SIGINT", onSigint);
  }
}
