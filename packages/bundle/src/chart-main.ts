import { bundleMain } from "./cli";
import { type ChartTool, planChartCommand } from "./chart-command";

/**
 * Runs one of Flyte's chart commands (`c0`, `pyflyte serve agent|connector`) as
 * `flyte-agent serve` (see {@link planChartCommand}). With `--timeout N` the process sends
 * itself SIGTERM after N seconds: the server stops as on any SIGTERM (NOT_SERVING for the
 * shutdown delay, then drains) and exits 0.
 * @returns the process exit code (2 when the arguments are refused)
 */
export async function chartCommandMain(tool: ChartTool, argv: readonly string[]): Promise<number> {
  const plan = planChartCommand(tool, argv);
  if (plan.kind === "refused") {
    process.stderr.write(`${plan.message}\n`);
    return 2;
  }
  if (plan.kind === "help") {
    process.stdout.write(plan.text);
    return 0;
  }
  for (const w of plan.warnings) process.stderr.write(`${w}\n`);
  if (plan.timeoutSeconds !== undefined) {
    const seconds = plan.timeoutSeconds;
    setTimeout(() => {
      process.stderr.write(`${tool}: --timeout ${seconds}: stopping the server\n`);
      process.kill(process.pid, "SIGTERM");
    }, seconds * 1000).unref();
  }
  return bundleMain(["serve", ...plan.serveArgs]);
}
