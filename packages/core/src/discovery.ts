import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { isAgentPlugin, type AgentPlugin } from "./plugin";

/** A plugin package found on disk. */
export interface DiscoveredPackage {
  /** npm package name. */
  readonly name: string;
  readonly version: string;
  /** Absolute path of the package directory. */
  readonly dir: string;
  /** Absolute path of the module to load (the `flyteAgent.plugin` entry). */
  readonly entry: string;
}

/** A plugin package that was loaded, or failed to load. */
export type LoadedPackage =
  | (DiscoveredPackage & { readonly ok: true; readonly plugin: AgentPlugin })
  | (DiscoveredPackage & { readonly ok: false; readonly error: string });

interface PackageJson {
  name?: string;
  version?: string;
  flyteAgent?: { plugin?: string };
}

function readPackageJson(dir: string): PackageJson | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as PackageJson;
  } catch {
    return undefined;
  }
}

/** The node_modules directories Node would search from `start` upwards. */
export function nodeModulesChain(start: string): string[] {
  const dirs: string[] = [];
  let dir = resolve(start);
  for (;;) {
    const nm = join(dir, "node_modules");
    if (existsSync(nm)) dirs.push(nm);
    const parent = dirname(dir);
    if (parent === dir) return dirs;
    dir = parent;
  }
}

/**
 * Finds installed plugin packages: every package in the given node_modules directories (and
 * their `@scope/` folders) whose package.json has a `flyteAgent.plugin` entry. The first
 * occurrence of a package name wins, as in Node's resolution.
 */
export function findPluginPackages(nodeModulesDirs: readonly string[]): DiscoveredPackage[] {
  const found = new Map<string, DiscoveredPackage>();
  const consider = (dir: string) => {
    const pkg = readPackageJson(dir);
    const entry = pkg?.flyteAgent?.plugin;
    if (!pkg?.name || typeof entry !== "string" || found.has(pkg.name)) return;
    found.set(pkg.name, { name: pkg.name, version: pkg.version ?? "0.0.0", dir, entry: resolve(dir, entry) });
  };
  for (const nm of nodeModulesDirs) {
    let names: string[];
    try {
      names = readdirSync(nm);
    } catch {
      continue;
    }
    for (const name of names.sort()) {
      if (name.startsWith(".")) continue;
      if (name.startsWith("@")) {
        let scoped: string[] = [];
        try {
          scoped = readdirSync(join(nm, name));
        } catch {
          // not a directory
        }
        for (const s of scoped.sort()) consider(join(nm, name, s));
      } else {
        consider(join(nm, name));
      }
    }
  }
  return [...found.values()];
}

/** Loads a plugin module and checks its default export carries the plugin tag. */
export function loadPluginModule(entry: string): AgentPlugin {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(entry) as { default?: unknown };
  const candidate = mod && typeof mod === "object" && "default" in mod ? mod.default : mod;
  if (!isAgentPlugin(candidate)) {
    throw new Error("its default export is not a plugin (wrap the agents in definePlugin)");
  }
  return candidate;
}

/** Loads every package, catching each failure with its reason. */
export function loadPackages(packages: readonly DiscoveredPackage[]): LoadedPackage[] {
  return packages.map((p) => {
    try {
      return { ...p, ok: true as const, plugin: loadPluginModule(p.entry) };
    } catch (err) {
      const reason = err instanceof Error ? err.message.split("\n", 1)[0] : String(err);
      return { ...p, ok: false as const, error: reason ?? "unknown error" };
    }
  });
}
