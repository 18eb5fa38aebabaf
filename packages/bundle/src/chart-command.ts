/**
 * The commands Flyte's Helm chart (`charts/flyteconnector`) hard-codes for the connector
 * container, answered by `flyte-agent serve`: `pyflyte serve agent` (Flyte 1),
 * `pyflyte serve connector`, and `c0` (Flyte 2). The chart passes no arguments, so an image
 * whose PATH holds these commands replaces the Python connector with nothing changed but
 * `image.repository` and `image.tag`.
 *
 * Options of the Python tools map as follows: `--port` and `--prometheus_port` become
 * `--port` and `--prometheus-port`; `--timeout N` stops the server after N seconds; `--worker N`
 * is accepted and ignored with a warning; `--modules` and every other option are refused.
 * @module
 */

/** Which of the chart's commands was run. */
export type ChartTool = "c0" | "pyflyte";

/** What a chart command comes to: `flyte-agent serve` arguments, or a refusal. */
export type ChartCommandPlan =
  | {
      readonly kind: "serve";
      /** Arguments after `serve`. */
      readonly serveArgs: readonly string[];
      /** `--timeout`: stop the server after this many seconds. */
      readonly timeoutSeconds?: number;
      /** One line each, for stderr. */
      readonly warnings: readonly string[];
    }
  | { readonly kind: "help"; readonly text: string }
  | { readonly kind: "refused"; readonly message: string };

/** The largest `--timeout`, in seconds (the largest delay a Node timer keeps: about 24.8 days). */
export const MAX_TIMEOUT_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

/** The options taking a value, and what each becomes. */
const VALUE_OPTIONS = new Set(["--port", "--prometheus_port", "--timeout", "--worker"]);

function usage(tool: ChartTool): string {
  const command = tool === "c0" ? "c0" : "pyflyte serve agent|connector";
  return [
    `usage: ${command} [--port N] [--prometheus_port N] [--timeout SECONDS] [--worker N]`,
    "Starts `flyte-agent serve` (gRPC on 8000, metrics on 9090 unless FLYTE_AGENT_PORT /",
    "FLYTE_AGENT_PROMETHEUS_PORT say otherwise). --worker is ignored; --modules is not supported.",
    "",
  ].join("\n");
}

function integer(tool: ChartTool, option: string, text: string, min: number, max: number): number | string {
  if (!/^\d+$/.test(text.trim())) return `${tool}: ${option} must be an integer, got "${text}"`;
  const value = Number(text.trim());
  if (value < min || value > max) return `${tool}: ${option} must be between ${min} and ${max}, got ${value}`;
  return value;
}

/**
 * Maps the argument vector of a chart command (after the command name, so for `pyflyte` it
 * starts with `serve agent`) to `flyte-agent serve` arguments.
 *
 * @param tool which command ran
 * @param argv its arguments
 * @returns the plan; a refusal carries one line naming the option or word refused
 */
export function planChartCommand(tool: ChartTool, argv: readonly string[]): ChartCommandPlan {
  let args = [...argv];
  if (tool === "pyflyte") {
    const [group, what] = args;
    if (group !== "serve" || (what !== "agent" && what !== "connector")) {
      const got = args.slice(0, 2).join(" ") || "(nothing)";
      return {
        kind: "refused",
        message: `pyflyte: only "pyflyte serve agent" and "pyflyte serve connector" are available in this image, got "${got}"`,
      };
    }
    args = args.slice(2);
  }
  const serveArgs: string[] = [];
  const warnings: string[] = [];
  let timeoutSeconds: number | undefined;
  for (let i = 0; i < args.length; i++) {
    const word = args[i] as string;
    if (word === "--help" || word === "-h") return { kind: "help", text: usage(tool) };
    const eq = word.indexOf("=");
    const name = word.startsWith("--") && eq > 0 ? word.slice(0, eq) : word;
    if (name === "--modules") {
      return {
        kind: "refused",
        message: `${tool}: --modules (Python modules to import) is not supported: this image serves the TypeScript plugins built into it (PLUGINS)`,
      };
    }
    if (!VALUE_OPTIONS.has(name)) {
      return { kind: "refused", message: `${tool}: option "${name}" is not supported (see ${tool} --help)` };
    }
    let value: string;
    if (name !== word) {
      value = word.slice(eq + 1);
    } else {
      const next = args[i + 1];
      if (next === undefined) return { kind: "refused", message: `${tool}: ${name} needs a value` };
      value = next;
      i++;
    }
    if (name === "--port" || name === "--prometheus_port") {
      const port = integer(tool, name, value, 0, 65_535);
      if (typeof port === "string") return { kind: "refused", message: port };
      serveArgs.push(name === "--port" ? "--port" : "--prometheus-port", String(port));
    } else if (name === "--timeout") {
      const seconds = integer(tool, name, value, 1, MAX_TIMEOUT_SECONDS);
      if (typeof seconds === "string") return { kind: "refused", message: seconds };
      timeoutSeconds = seconds;
    } else {
      const workers = integer(tool, name, value, 1, 10_000);
      if (typeof workers === "string") return { kind: "refused", message: workers };
      warnings.push(`${tool}: --worker ${workers} is ignored: the Node.js server runs every call on one event loop`);
    }
  }
  return { kind: "serve", serveArgs, timeoutSeconds, warnings };
}
