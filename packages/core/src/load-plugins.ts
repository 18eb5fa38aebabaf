import { readFileSync, statSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { closestName } from "./closest-name";
import {
  type DiscoveredPackage,
  findPluginPackages,
  type LoadedOk,
  type LoadedPackage,
  type LoadFailure,
  loadModuleByPath,
  loadPackage,
  loadPackages,
  nodeModulesChain,
} from "./discovery";
import { ConfigurationError } from "./errors";
import { AgentRegistry } from "./registry";
import { CORE_VERSION } from "./version";

/** Which plugins to serve. Every field falls back to an environment variable, then a default. */
export interface PluginSelection {
  /**
   * Only these plugins: package names (`@flyte-agent/bigquery`), short names of this project's
   * plugins (`bigquery`), or paths (`./team-jobs`, a package directory or a plugin module).
   * @default env FLYTE_AGENT_INCLUDE (comma-separated), else every package
   */
  include?: string[];
  /** Not these plugins (names, short names or paths, as `include`). @default env FLYTE_AGENT_EXCLUDE (comma-separated), else none */
  exclude?: string[];
  /** Extra plugin modules to load by path. @default env FLYTE_AGENT_MODULES (comma-separated), else none */
  modules?: string[];
  /** Fail when a plugin cannot be loaded. @default env FLYTE_AGENT_STRICT === "true" */
  strict?: boolean;
  /** Where to look for node_modules and resolve `modules` from. @default process.cwd() */
  cwd?: string;
  /**
   * node_modules directories to scan.
   * @default the node_modules chain above `cwd`, then the one above this copy of core
   */
  nodeModules?: readonly string[];
  /** The core version plugins are checked against. @default CORE_VERSION */
  coreVersion?: string;
}

/** What discovery found: every plugin that loaded and every one that did not, with the reason. */
export interface PluginDiscovery {
  /** Every plugin considered, in discovery order (packages, then `modules`). */
  readonly loaded: LoadedPackage[];
  /** The ones that failed, each with a one-line reason. */
  readonly problems: LoadFailure[];
}

/** The registry built from discovered plugins, with what was found. */
export interface PluginRegistryResult extends PluginDiscovery {
  readonly registry: AgentRegistry;
}

const listFromEnv = (name: string): string[] | undefined => {
  const value = process.env[name];
  if (value === undefined || value.trim() === "") return undefined;
  return value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
};

/** The scope of this project's own plugins: `bigquery` is short for `@flyte-agent/bigquery`. */
const OWN_SCOPE = "@flyte-agent/";

/** True for an --include / --exclude entry that is a path (`./x`, `../x`, `/x`), not a package name. */
export const isPathEntry = (entry: string): boolean => entry.startsWith(".") || isAbsolute(entry);

/**
 * The installed plugin package an --include / --exclude name means: the package of exactly that
 * name, else the short name of one of ours (`bigquery` for `@flyte-agent/bigquery`).
 */
function matchName(name: string, installed: readonly DiscoveredPackage[]): string | undefined {
  if (installed.some((p) => p.name === name)) return name;
  const scoped = `${OWN_SCOPE}${name}`;
  return installed.some((p) => p.name === scoped) ? scoped : undefined;
}

function notInstalled(name: string, installed: readonly DiscoveredPackage[]): string {
  const names = [...new Set(installed.map((p) => p.name))].sort();
  const shortOrFull = names.flatMap((n) => (n.startsWith(OWN_SCOPE) ? [n, n.slice(OWN_SCOPE.length)] : [n]));
  const close = closestName(name, shortOrFull);
  const alsoShort = name.includes("/") ? "" : ` (or ${OWN_SCOPE}${name})`;
  return `it was asked for with --include / FLYTE_AGENT_INCLUDE but no installed plugin package is called ${name}${alsoShort}${close ? ` (did you mean ${close}?)` : ""}; installed plugins: ${names.join(", ") || "none"}`;
}

/** The plugin package in the directory at `path` (a package.json with `flyteAgent.plugin`), else undefined. */
function packageAtPath(path: string, cwd: string): DiscoveredPackage | undefined {
  const dir = resolve(cwd, path);
  let pkg: { name?: unknown; version?: unknown; flyteAgent?: { plugin?: unknown } };
  try {
    if (!statSync(dir).isDirectory()) return undefined;
    pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as typeof pkg;
  } catch {
    return undefined;
  }
  const entry = pkg.flyteAgent?.plugin;
  if (typeof pkg.name !== "string" || typeof entry !== "string") return undefined;
  return { name: pkg.name, version: typeof pkg.version === "string" ? pkg.version : "", dir, entry: resolve(dir, entry) };
}

function packageNameAtPath(path: string, cwd: string): string {
  return packageAtPath(path, cwd)?.name ?? resolve(cwd, path);
}

/** "plugin @scope/name@1.2.3 failed to load: reason" */
export const describeProblem = (p: LoadFailure): string =>
  `plugin ${p.version ? `${p.name}@${p.version}` : p.name} failed to load: ${p.error}`;

/** "@scope/name@1.2.3", or just the name for a module given by path. */
export const packageLabel = (p: { name: string; version: string }): string => (p.version ? `${p.name}@${p.version}` : p.name);

const failure = (p: LoadedPackage, error: string): LoadFailure => ({
  name: p.name,
  version: p.version,
  dir: p.dir,
  entry: p.entry,
  ok: false,
  error,
});

/** A plugin whose own agents are invalid or claim one category twice fails alone. */
function checkOwnAgents(p: LoadedOk): LoadedPackage {
  const own = new AgentRegistry();
  try {
    for (const agent of p.plugin.agents) own.register(agent, { source: packageLabel(p) });
  } catch (err) {
    return failure(p, err instanceof Error ? err.message : String(err));
  }
  return p;
}

/**
 * Finds and loads plugins: scans node_modules for packages marked `flyteAgent.plugin`,
 * applies include/exclude, loads each (checking the tag and the core version) and the extra
 * `modules`. A plugin that fails is reported with its reason; with `strict` any failure throws
 * a {@link ConfigurationError} listing them all.
 */
export async function discoverPlugins(selection: PluginSelection = {}): Promise<PluginDiscovery> {
  const include = selection.include ?? listFromEnv("FLYTE_AGENT_INCLUDE");
  const exclude = selection.exclude ?? listFromEnv("FLYTE_AGENT_EXCLUDE") ?? [];
  const modules = selection.modules ?? listFromEnv("FLYTE_AGENT_MODULES") ?? [];
  const strict = selection.strict ?? process.env.FLYTE_AGENT_STRICT === "true";
  const cwd = selection.cwd ?? process.cwd();
  const coreVersion = selection.coreVersion ?? CORE_VERSION;
  const dirs = selection.nodeModules ?? [...nodeModulesChain(cwd), ...nodeModulesChain(__dirname)];

  const installed = findPluginPackages(dirs);
  const byPath = (include ?? []).filter(isPathEntry);
  const fromPaths = byPath.map((path) => packageAtPath(path, cwd));
  const pathNames = new Set(fromPaths.flatMap((p) => (p && "name" in p ? [p.name] : [])));
  const excluded = new Set(exclude.map((e) => (isPathEntry(e) ? packageNameAtPath(e, cwd) : matchName(e, installed))));
  const wanted = include?.filter((e) => !isPathEntry(e));
  const missing = (wanted ?? []).filter((name) => matchName(name, installed) === undefined);
  const names = new Set((wanted ?? []).map((name) => matchName(name, installed)));
  const packages = installed.filter(
    (p) => (include === undefined || names.has(p.name)) && !excluded.has(p.name) && !pathNames.has(p.name),
  );

  const loaded: LoadedPackage[] = [
    ...missing.map(
      (name): LoadFailure => ({
        name,
        version: "",
        dir: "",
        entry: "",
        ok: false,
        error: notInstalled(name, installed),
      }),
    ),
    ...(await loadPackages(packages, coreVersion)),
  ];
  for (const [i, found] of fromPaths.entries()) {
    const path = byPath[i] ?? "";
    loaded.push(found === undefined ? await loadModuleByPath(path, cwd, coreVersion) : await loadPackage(found, coreVersion));
  }
  for (const m of modules) loaded.push(await loadModuleByPath(m, cwd, coreVersion));
  const checked = loaded.map((p) => (p.ok ? checkOwnAgents(p) : p));

  const problems = checked.filter((p): p is LoadFailure => !p.ok);
  if (strict && problems.length > 0) {
    throw new ConfigurationError(`${problems.map(describeProblem).join("; ")} (strict mode: not starting)`);
  }
  return { loaded: checked, problems };
}

/**
 * Discovers plugins (see {@link discoverPlugins}) and registers their agents. Two plugins
 * claiming one task category throw a {@link ConfigurationError} naming both packages.
 */
export async function buildRegistry(selection: PluginSelection = {}): Promise<PluginRegistryResult> {
  const { loaded, problems } = await discoverPlugins(selection);
  const registry = new AgentRegistry();
  for (const p of loaded) {
    if (!p.ok) continue;
    for (const agent of p.plugin.agents) registry.register(agent, { source: packageLabel(p) });
  }
  return { registry, loaded, problems };
}
