import type { Command } from "commander";
import { formatCategory } from "../agent";
import type { LoadedPackage } from "../discovery";
import { CORE_VERSION } from "../version";
import { buildRegistry, describeProblem, packageLabel, type PluginSelection } from "../load-plugins";
import { addPluginSelectionOptions, type PluginSelectionFlags, selectionFromFlags } from "./plugin-options";
import { printTable } from "./table";

/** One agent in the `flyte-agent list --json` output. */
export interface ListedAgent {
  readonly name: string;
  readonly category: { readonly name: string; readonly version: number };
  readonly mode: "async" | "sync";
}

/** One plugin in the `flyte-agent list --json` output. */
export interface ListedPlugin {
  /** npm package name, or the path of a module given with --modules. */
  readonly package: string;
  /** Package version ("" for a module given by path). */
  readonly version: string;
  readonly ok: boolean;
  /** Why it failed to load (only when `ok` is false). */
  readonly error?: string;
  readonly agents: readonly ListedAgent[];
}

/** The `flyte-agent list --json` document. */
export interface PluginListing {
  /** The @flyte-agent/core version that would serve these plugins. */
  readonly coreVersion: string;
  readonly plugins: readonly ListedPlugin[];
}

const listed = (p: LoadedPackage): ListedPlugin =>
  p.ok
    ? {
        package: p.name,
        version: p.version,
        ok: true,
        agents: p.plugin.agents.map((a) => ({
          name: a.name,
          category: { name: a.category.name, version: a.category.version },
          mode: a.kind,
        })),
      }
    : { package: p.name, version: p.version, ok: false, error: p.error, agents: [] };

const toListing = (loaded: readonly LoadedPackage[]): PluginListing => ({
  coreVersion: CORE_VERSION,
  plugins: loaded.map(listed),
});

/**
 * What `flyte-agent serve` would serve with this selection: discovery plus registration, so
 * that conflicts between plugins fail here exactly as they would at start-up.
 */
export async function listPlugins(selection: PluginSelection = {}): Promise<PluginListing> {
  return toListing((await buildRegistry(selection)).loaded);
}

/** Adds `flyte-agent list`. Exits 1 when a plugin failed to load, so an image build can use it as a check. */
export function registerList(program: Command, setExitCode: (code: number) => void): void {
  addPluginSelectionOptions(
    program
      .command("list")
      .description("List the installed agent plugins and their agents (what `serve` would serve)")
      .option("--json", "print JSON instead of a table"),
  ).action(async (flags: PluginSelectionFlags & { json?: boolean }) => {
    const selection = selectionFromFlags(flags);
    const { loaded, problems } = await buildRegistry(selection);
    if (flags.json) {
      process.stdout.write(`${JSON.stringify(toListing(loaded), null, 2)}\n`);
    } else {
      const rows = loaded.flatMap((p) =>
        p.ok ? p.plugin.agents.map((a) => [a.name, formatCategory(a.category), a.kind, packageLabel(p)]) : [],
      );
      printTable(process.stdout, ["Agent", "Category", "Mode", "Package"], rows);
      for (const p of problems) process.stderr.write(`${describeProblem(p)}\n`);
    }
    setExitCode(problems.length > 0 ? 1 : 0);
  });
}
