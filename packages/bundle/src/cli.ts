import { main } from "@flyte-agent/core/cli";
import { planInstall } from "./install-specs";
import { BUNDLED_PLUGINS } from "./plugins";

const USAGE = `usage:
  flyte-agent-bundle install-specs <tarball-dir> <plugins...>   print the npm install arguments for PLUGINS
  flyte-agent-bundle plugins                                    list the bundled plugins
  flyte-agent-bundle <flyte-agent command...>                   run flyte-agent (strict plugin loading by default)
`;

/**
 * The bundle's command line. `install-specs` and `plugins` are its own; everything else runs
 * `flyte-agent` with FLYTE_AGENT_STRICT defaulting to true, because an image built with a
 * plugin must not start without it.
 * @returns the process exit code
 */
export async function bundleMain(args: readonly string[]): Promise<number> {
  const [command, ...rest] = args;
  if (command === "install-specs") {
    const [dir, ...plugins] = rest;
    if (!dir) {
      process.stderr.write(USAGE);
      return 2;
    }
    const plan = planInstall(plugins.join(" "), dir);
    process.stdout.write(`${plan.npmArgs.join("\n")}\n`);
    return 0;
  }
  if (command === "plugins") {
    for (const p of BUNDLED_PLUGINS) {
      process.stdout.write(`${p.alias.padEnd(12)} ${p.packageName.padEnd(26)} ${p.taskTypes.join(", ")}\n`);
    }
    return 0;
  }
  if (command === "help" || command === "--help" || command === undefined) {
    process.stdout.write(USAGE);
    return command === undefined ? 2 : 0;
  }
  process.env.FLYTE_AGENT_STRICT ??= "true";
  return main(["node", "flyte-agent", ...args]);
}
