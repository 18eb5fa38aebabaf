import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, isAbsolute } from "node:path";
import { pathToFileURL } from "node:url";
import { type AgentPlugin, isAgentPlugin } from "./plugin";
import { CORE_VERSION } from "./version";

/** A plugin package found on disk. */
export interface DiscoveredPackage {
  /** npm package name (or the path, for a module given with `--modules`). */
  readonly name: string;
  /** Version from the package's package.json ("" for a module given by path). */
  readonly version: string;
  /** Absolute path of the package directory. */
  readonly dir: string;
  /** Absolute path of the module to load (the `flyteAgent.plugin` entry). */
  readonly entry: string;
}

/** A plugin package that was loaded. */
export type LoadedOk = DiscoveredPackage & { readonly ok: true; readonly plugin: AgentPlugin };
/** A plugin package that failed to load, with a one-line reason. */
export type LoadFailure = DiscoveredPackage & { readonly ok: false; readonly error: string };
/** A plugin package that was loaded, or failed to load. */
export type LoadedPackage = LoadedOk | LoadFailure;

interface PackageJson {
  name?: unknown;
  version?: unknown;
  flyteAgent?: { plugin?: unknown };
}

function readPackageJson(dir: string): PackageJson | undefined {
  try {
    const parsed: unknown = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    return typeof parsed === "object" && parsed !== null ? (parsed as PackageJson) : undefined;
  } catch {
    return undefined;
  }
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
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
 * their `@scope/` folders) whose package.json has a string `flyteAgent.plugin` entry pointing
 * inside the package. The first occurrence of a package name wins, as in Node's resolution.
 */
export function findPluginPackages(nodeModulesDirs: readonly string[]): DiscoveredPackage[] {
  const found = new Map<string, DiscoveredPackage>();
  const consider = (dir: string) => {
    const pkg = readPackageJson(dir);
    const entry = pkg?.flyteAgent?.plugin;
    if (typeof pkg?.name !== "string" || typeof entry !== "string" || found.has(pkg.name)) return;
    const version = typeof pkg.version === "string" ? pkg.version : "0.0.0";
    found.set(pkg.name, { name: pkg.name, version, dir, entry: resolve(dir, entry) });
  };
  for (const nm of nodeModulesDirs) {
    for (const name of listDir(nm)) {
      if (name.startsWith(".")) continue;
      if (name.startsWith("@")) {
        for (const s of listDir(join(nm, name))) consider(join(nm, name, s));
      } else {
        consider(join(nm, name));
      }
    }
  }
  return [...found.values()];
}

const parseVersion = (version: string): [number, number] | undefined => {
  const m = /^v?(\d+)\.(\d+)\./.exec(version.trim());
  return m ? [Number(m[1]), Number(m[2])] : undefined;
};

/**
 * Why a plugin built against core `pluginCore` cannot run on core `serverCore`, or undefined
 * when it can. The major versions must match; for 0.x versions the minor must match too
 * (semver: a 0.x minor release may break).
 */
export function coreIncompatibility(pluginCore: unknown, serverCore: string = CORE_VERSION): string | undefined {
  if (typeof pluginCore !== "string" || pluginCore.length === 0) {
    return `it does not say which @flyte-agent/core it was built with (rebuild it with @flyte-agent/core ${serverCore})`;
  }
  const p = parseVersion(pluginCore);
  const s = parseVersion(serverCore);
  if (!p || !s) return `its core version "${pluginCore}" is not a semver version`;
  const same = p[0] === s[0] && (p[0] !== 0 || p[1] === s[1]);
  if (same) return undefined;
  const wanted = s[0] === 0 ? `0.${s[1]}.x` : `${s[0]}.x`;
  return `it was built for @flyte-agent/core ${pluginCore}, but this server runs ${serverCore} (needs ${wanted}); install a version of the plugin built for core ${wanted}`;
}

/**
 * Imports a plugin entry with a native dynamic `import()`, so CommonJS and ES-module plugins
 * (including ones with top-level await) load on every Node version `engines` admits, without
 * relying on `require()` of ES modules (Node >= 20.19 only, and never with top-level await).
 *
 * This package compiles with `module: "Node16"` and is CommonJS, and in that mode tsc keeps
 * `import()` as written instead of rewriting it to `require()`. (The jest preset transpiles to
 * plain CommonJS, where it becomes `require()`; the ES-module and top-level-await tests
 * therefore run the built CLI in a child process.)
 */
function importEntry(entry: string): Promise<unknown> {
  return import(pathToFileURL(entry).href);
}

/**
 * The plugin object of an imported module: `export default plugin` (ES module),
 * `module.exports = plugin`, or `exports.default = plugin` (TypeScript compiled to CommonJS,
 * which `import()` wraps in one more `default`).
 */
function pluginCandidate(mod: unknown): unknown {
  let candidate = mod;
  for (let depth = 0; depth < 2; depth += 1) {
    if (isAgentPlugin(candidate)) return candidate;
    if (typeof candidate !== "object" || candidate === null || !("default" in candidate)) return candidate;
    candidate = (candidate as { default: unknown }).default;
  }
  return candidate;
}

/** The start of the reason given for a module whose default export is not a plugin. */
export const NOT_A_PLUGIN = "its default export is not a plugin";

/** import() errors for a file that is not a JavaScript module at all (JSON, unknown extension). */
const NOT_A_MODULE = new Set(["ERR_UNKNOWN_FILE_EXTENSION", "ERR_IMPORT_ATTRIBUTE_MISSING", "ERR_IMPORT_ASSERTION_TYPE_MISSING"]);

/**
 * Loads a plugin module and checks it: the default export carries the plugin tag and was
 * built against a compatible core. Rejects with an Error with a one-line reason otherwise.
 */
export async function loadPluginModule(entry: string, serverCore: string = CORE_VERSION): Promise<AgentPlugin> {
  let mod: unknown;
  try {
    mod = await importEntry(entry);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === "string" && NOT_A_MODULE.has(code)) throw new Error(`${NOT_A_PLUGIN}: it is not a JavaScript module`);
    throw err;
  }
  const candidate = pluginCandidate(mod);
  if (!isAgentPlugin(candidate)) {
    throw new Error(`${NOT_A_PLUGIN} (export default definePlugin({ agents: [...] }))`);
  }
  const incompatible = coreIncompatibility(candidate.coreVersion, serverCore);
  if (incompatible) throw new Error(incompatible);
  if (!Array.isArray(candidate.agents)) throw new Error("its plugin has no agents list");
  return candidate;
}

const firstLine = (err: unknown): string => {
  const text = err instanceof Error ? err.message : String(err);
  return text.split("\n", 1)[0] || "unknown error";
};

/** Loads one package, turning any failure into a {@link LoadFailure} with its reason. */
export async function loadPackage(p: DiscoveredPackage, serverCore: string = CORE_VERSION): Promise<LoadedPackage> {
  const rel = relative(p.dir, p.entry);
  if (rel.startsWith("..") || isAbsolute(rel)) {
    return { ...p, ok: false, error: `its flyteAgent.plugin entry points outside the package (${p.entry})` };
  }
  try {
    return { ...p, ok: true, plugin: await loadPluginModule(p.entry, serverCore) };
  } catch (err) {
    return { ...p, ok: false, error: firstLine(err) };
  }
}

/** Loads every package in order (one at a time, so load side effects keep that order), catching each failure with its reason. */
export async function loadPackages(
  packages: readonly DiscoveredPackage[],
  serverCore: string = CORE_VERSION,
): Promise<LoadedPackage[]> {
  const results: LoadedPackage[] = [];
  for (const p of packages) results.push(await loadPackage(p, serverCore));
  return results;
}

/** Loads a plugin module given by path (`--modules`); the failure reason is kept like a package's. */
export async function loadModuleByPath(path: string, cwd: string, serverCore: string = CORE_VERSION): Promise<LoadedPackage> {
  const entry = resolve(cwd, path);
  const base: DiscoveredPackage = { name: path, version: "", dir: dirname(entry), entry };
  try {
    return { ...base, ok: true, plugin: await loadPluginModule(require.resolve(entry), serverCore) };
  } catch (err) {
    return { ...base, ok: false, error: firstLine(err) };
  }
}
