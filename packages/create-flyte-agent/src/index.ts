import { dirname } from "node:path";
import { main } from "@flyte-agent/core/cli";

/**
 * `npm create flyte-agent@latest <name> [-- --esm]`: npm installs this package and runs its
 * `create-flyte-agent` command, which creates a standalone plugin project with core's own
 * scaffolding (`flyte-agent new <name> --standalone`) from the template package installed
 * beside it. Nothing else needs to be installed first.
 *
 * @packageDocumentation
 */

/** What `create-flyte-agent --help` prints. */
export const USAGE = `Usage: npm create flyte-agent@latest <name> [-- --esm] [--dir <dir>]

Creates ./<name> (or <dir>): a Flyte agent plugin project of its own, in TypeScript, that builds
and tests with npm alone, depending on the published @flyte-agent/core and @flyte-agent/testing.

  <name>       package and directory name, lower-case kebab-case (e.g. team-jobs)
  --esm        an ES module package ("type": "module")
  --dir <dir>  the directory to create (default: ./<name>)
  -h, --help   this text

Then: cd <name> && npm install && npm test
`;

/** Exit code of a refused command line. */
const USAGE_EXIT = 2;

/** The installed template package's directory: what the new project is made from. */
export function templateDirectory(): string {
  return dirname(require.resolve("@flyte-agent/template/package.json"));
}

/**
 * Runs `create-flyte-agent` with its arguments (without node and the script).
 * @returns the process exit code: 0 created, 2 refused command line, 1 otherwise
 */
export async function createFlyteAgent(args: readonly string[]): Promise<number> {
  if (args.includes("-h") || args.includes("--help")) {
    process.stdout.write(USAGE);
    return 0;
  }
  const name = args.find((a, i) => !a.startsWith("-") && args[i - 1] !== "--dir");
  const unknown = args.filter((a, i) => a.startsWith("-") && a !== "--esm" && a !== "--dir" && args[i - 1] !== "--dir");
  if (!name || unknown.length > 0) {
    process.stderr.write(
      `create-flyte-agent: ${name ? `unknown option ${unknown.join(", ")}` : "the project needs a name"}\n\n${USAGE}`,
    );
    return USAGE_EXIT;
  }
  const passed = args.filter((a) => a !== name);
  return main(["node", "create-flyte-agent", "new", name, "--standalone", "--template", templateDirectory(), ...passed]);
}
