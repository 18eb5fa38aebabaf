import type { Command } from "commander";
import type { PluginSelection } from "../load-plugins";

/** The plugin selection flags, the same on every command that loads plugins (serve, run, list, propeller-config). */
export interface PluginSelectionFlags {
  include?: string[];
  exclude?: string[];
  modules?: string[];
  strict?: boolean;
}

/**
 * Adds --include, --exclude, --modules and --strict to a command: the one declaration of the
 * plugin selection flags. Unset flags fall back to the environment in discovery.
 */
export function addPluginSelectionOptions(command: Command): Command {
  return command
    .option(
      "--include <plugins...>",
      "load only these plugins: package names, short names (bigquery) or paths (env FLYTE_AGENT_INCLUDE, comma-separated)",
    )
    .option(
      "--exclude <plugins...>",
      "do not load these plugins, named as for --include (env FLYTE_AGENT_EXCLUDE, comma-separated)",
    )
    .option("--modules <paths...>", "also load plugin modules from these paths (env FLYTE_AGENT_MODULES, comma-separated)")
    .option("--strict", "fail when a plugin cannot be loaded (env FLYTE_AGENT_STRICT=true)");
}

/** The selection the flags ask for; unset flags fall back to the environment in discovery. */
export function selectionFromFlags(flags: PluginSelectionFlags): PluginSelection {
  return { include: flags.include, exclude: flags.exclude, modules: flags.modules, strict: flags.strict };
}
