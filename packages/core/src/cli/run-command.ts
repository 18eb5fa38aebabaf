// `flyte-agent run`'s work: read the template and inputs, run the task in-process or against an
// agent service, show progress and write the outputs. Loaded by run.ts when the command runs.
import { writeFileSync } from "node:fs";
import { core } from "@flyte-agent/flyteidl";
import { connectionFromFlags, resolveConnectionSecrets } from "./connection-flags";
import { RUN_EXIT, type RunFlags } from "./run";
import { loadInputsFile, parseInputFlags } from "../runner/input-values";
import { toJsonOut } from "../runner/output-json";
import { ProgressDisplay } from "../runner/progress-display";
import { TaskRunError } from "../runner/run-error";
import { runTask } from "../runner/run-task";
import { speaksTls } from "../runner/tls-probe";
import { loadTemplateFile } from "../runner/template-file";
import type { ClientTlsOptions, RunResult } from "../runner/types";

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

/**
 * Runs `flyte-agent run <template>` with its parsed flags.
 * @returns the exit code, one of {@link RUN_EXIT}
 */
export async function runCommand(templatePath: string, flags: RunFlags): Promise<number> {
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
