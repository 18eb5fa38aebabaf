import { type Command, InvalidArgumentError } from "commander";

/** The flags of `flyte-agent new`, as commander parses them. */
export interface NewFlags {
  template?: string;
  dir?: string;
  register: boolean;
  standalone?: boolean;
  esm?: boolean;
}

/** Checks the name while parsing, so a bad one ends the command with exit code 2. */
function checkedName(name: string): string {
  try {
    (require("./new-command") as typeof import("./new-command")).pluginNames(name);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
  return name;
}

/** Adds `flyte-agent new <name>`. */
export function registerNew(program: Command, setExitCode: (code: number) => void): void {
  program
    .command("new")
    .argument("<name>", "package directory name, lower-case kebab-case (e.g. my-system)", checkedName)
    .description("Create a new agent plugin package from the custom-agent template (@flyte-agent/template)")
    .option("--template <dir>", "template package directory (default: @flyte-agent/template as installed)")
    .option("--dir <dir>", "directory to create (default: <workspace root>/packages/<name>)")
    .option("--no-register", "do not add the package to the workspace root's devDependencies")
    .option("--standalone", "a project of its own (default: ./<name>), depending on the published core and test kit")
    .option("--esm", 'an ES module package ("type": "module")')
    .action((name: string, flags: NewFlags) => {
      // The scaffolding code loads only for this command: `serve` never pays for it.
      (require("./new-command") as typeof import("./new-command")).createPlugin(name, flags);
      setExitCode(0);
    });
}
