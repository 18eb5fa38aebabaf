import { Command, CommanderError } from "commander";
import { CORE_VERSION } from "../version";
import { registerList } from "./list";
import { registerNew } from "./new";
import { registerPropellerConfig } from "./propeller-config";
import { registerRun } from "./run";
import { registerServe } from "./serve";
import { checkDurationUnits } from "./flag-parsers";
import { USAGE_EXIT_CODE, UsageError } from "./usage-error";

export { propellerConfig, type PropellerConfigOptions } from "./propeller-config";

/**
 * The `flyte-agent` command tree, with every subcommand and option registered but nothing run:
 * `main` parses with it, and tests read its options (for example to check the README's flag
 * tables).
 * @param setExitCode where a command's action reports its exit code
 */
export function createProgram(setExitCode: (code: number) => void = () => undefined): Command {
  const program = new Command("flyte-agent")
    .description("Serve, inspect and run Flyte agents written in TypeScript")
    .version(CORE_VERSION)
    .showHelpAfterError("(see flyte-agent --help)")
    .exitOverride();
  registerServe(program, setExitCode);
  registerNew(program, setExitCode);
  registerRun(program, setExitCode);
  registerList(program, setExitCode);
  registerPropellerConfig(program, setExitCode);
  // A refused flag prints its one line and where the help is, not the whole help.
  for (const command of program.commands) command.showHelpAfterError(`(see flyte-agent ${command.name()} --help)`);
  return program;
}

/**
 * The `flyte-agent` command line. Each subcommand lives in its own file and registers itself
 * in {@link createProgram}. A refused command line (unknown flag, bad value, contradicting
 * flags) exits with code 2 and a message naming the flag.
 * @returns the process exit code
 */
export async function main(argv: readonly string[]): Promise<number> {
  let exitCode = 0;
  const program = createProgram((code) => {
    exitCode = code;
  });
  program.hook("preAction", (_program, command) => checkDurationUnits(command, argv));
  try {
    await program.parseAsync([...argv]);
  } catch (err) {
    // commander has printed its message already; --help and --version end with code 0.
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : USAGE_EXIT_CODE;
    if (err instanceof UsageError) {
      process.stderr.write(`flyte-agent: ${err.message}\n`);
      return USAGE_EXIT_CODE;
    }
    throw err;
  }
  return exitCode;
}
