import { Command } from "commander";
import { CORE_VERSION } from "../version";
import { registerServe } from "./serve";
import { registerNew } from "./new";
import { registerRun } from "./run";
import { registerList } from "./list";
import { registerPropellerConfig } from "./propeller-config";

export { propellerConfig, type PropellerConfigOptions } from "./propeller-config";

/**
 * The `flyte-agent` command line. Each subcommand lives in its own file and registers itself
 * here.
 * @returns the process exit code
 */
export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command("flyte-agent")
    .description("Serve, inspect and run Flyte agents written in TypeScript")
    .version(CORE_VERSION)
    .showHelpAfterError()
    .exitOverride();
  let exitCode = 0;
  const setExitCode = (code: number) => {
    exitCode = code;
  };
  registerServe(program, setExitCode);
  registerNew(program, setExitCode);
  registerRun(program, setExitCode);
  registerList(program, setExitCode);
  registerPropellerConfig(program, setExitCode);
  try {
    await program.parseAsync([...argv]);
  } catch (err) {
    const code = (err as { exitCode?: number }).exitCode;
    if (typeof code === "number") return code;
    throw err;
  }
  return exitCode;
}
