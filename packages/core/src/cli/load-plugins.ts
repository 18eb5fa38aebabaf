import { resolve } from "node:path";
import { AgentRegistry } from "../registry";
import { ConfigurationError } from "../errors";
import { findPluginPackages, loadPackages, loadPluginModule, nodeModulesChain, type LoadedPackage } from "../discovery";

/** Which plugins to serve. */
export interface PluginSelection {
  /** Only these package names. */
  include?: string[];
  /** Not these package names. */
  exclude?: string[];
  /** Extra plugin modules to load by path. */
  modules?: string[];
  /** Fail when a package cannot be loaded. */
  strict?: boolean;
  /** Where to look for node_modules. @default process.cwd() */
  cwd?: string;
}

const listFromEnv = (name: string): string[] | undefined =>
  process.env[name]
    ?.split(",")
    .map((s) => s.trim())
    .filter(Boolean);

/**
 * Discovers installed plugin packages, applies include/exclude, loads them and registers their
 * agents. Packages that fail to load are returned as problems (or thrown with `strict`).
 */
export function buildRegistry(selection: PluginSelection = {}): {
  registry: AgentRegistry;
  loaded: LoadedPackage[];
  problems: Extract<LoadedPackage, { ok: false }>[];
} {
  const include = selection.include ?? listFromEnv("FLYTE_AGENT_INCLUDE");
  const exclude = selection.exclude ?? listFromEnv("FLYTE_AGENT_EXCLUDE") ?? [];
  const modules = selection.modules ?? listFromEnv("FLYTE_AGENT_MODULES") ?? [];
  const strict = selection.strict ?? process.env.FLYTE_AGENT_STRICT === "true";
  const cwd = selection.cwd ?? process.cwd();

  let packages = findPluginPackages([...nodeModulesChain(cwd), ...nodeModulesChain(__dirname)]);
  if (include) packages = packages.filter((p) => include.includes(p.name));
  packages = packages.filter((p) => !exclude.includes(p.name));
  const loaded = loadPackages(packages);
  for (const m of modules) {
    const entry = resolve(cwd, m);
    try {
      loaded.push({ name: m, version: "", dir: entry, entry, ok: true, plugin: loadPluginModule(entry) });
    } catch (err) {
      loaded.push({ name: m, version: "", dir: entry, entry, ok: false, error: (err as Error).message.split("\n", 1)[0] ?? "" });
    }
  }
  const problems = loaded.filter((p): p is Extract<LoadedPackage, { ok: false }> => !p.ok);
  if (strict && problems.length > 0) {
    throw new ConfigurationError(problems.map((p) => `plugin ${p.name} failed to load: ${p.error}`).join("; "));
  }
  const registry = new AgentRegistry();
  for (const p of loaded) {
    if (!p.ok) continue;
    for (const agent of p.plugin.agents) registry.register(agent, { source: p.version ? `${p.name}@${p.version}` : p.name });
  }
  return { registry, loaded, problems };
}
