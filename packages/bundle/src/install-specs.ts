import { existsSync, readdirSync } from "node:fs";
import { basename, isAbsolute, join } from "node:path";
import { BUNDLED_PLUGINS, findBundledPlugin } from "./plugins";

/** What the PLUGINS list asks to install. */
export interface InstallPlan {
  /** Arguments for `npm install`: tarball paths for bundled plugins, registry specs for the rest. */
  readonly npmArgs: readonly string[];
  /** Package names that `flyte-agent serve` should then find. */
  readonly packageNames: readonly string[];
}

/** The npm package name in a registry spec: `name@1.2.3` -> `name`, `@scope/name@^2` -> `@scope/name`. */
export function packageNameOf(spec: string): string {
  const at = spec.indexOf("@", spec.startsWith("@") ? 1 : 0);
  return at === -1 ? spec : spec.slice(0, at);
}

const NPM_NAME = /^(@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/;

/** The tarball `pnpm pack` / `npm pack` writes for a package: `@scope/name` -> `scope-name-<version>.tgz`. */
function tarballFor(packageName: string, tarballs: readonly string[]): string | undefined {
  const stem = packageName.replace(/^@/, "").replace("/", "-");
  return tarballs.find((f) => f.startsWith(`${stem}-`) && /^\d/.test(f.slice(stem.length + 1)) && f.endsWith(".tgz"));
}

/**
 * Turns the PLUGINS list (words separated by spaces or commas) into `npm install` arguments.
 * A bundled plugin (alias like `bigquery`, or its package name without a version) is taken from
 * the packed tarball in `tarballDir`; anything with a version (`name@1.2.3`) comes from the
 * registry; an absolute path to a `.tgz` (a packed plugin) is installed as is. Unknown bare
 * names are refused with the list of known ones.
 */
export function planInstall(plugins: string, tarballDir: string): InstallPlan {
  const words = plugins
    .split(/[\s,]+/)
    .map((w) => w.trim())
    .filter(Boolean);
  let tarballs: string[] = [];
  try {
    tarballs = readdirSync(tarballDir);
  } catch {
    // no packed workspace plugins: only registry specs can be used
  }
  const npmArgs: string[] = [];
  const packageNames: string[] = [];
  for (const word of words) {
    if (word.endsWith(".tgz")) {
      // A packed plugin (docker/build.sh copies PLUGINS paths and .tgz files into the image).
      if (!isAbsolute(word) || !existsSync(word)) throw new Error(`plugin "${word}": no such package tarball`);
      npmArgs.push(word);
      packageNames.push(basename(word, ".tgz"));
      continue;
    }
    const bundled = findBundledPlugin(word);
    if (bundled) {
      const file = tarballFor(bundled.packageName, tarballs);
      if (!file) throw new Error(`plugin "${word}": no packed tarball for ${bundled.packageName} in ${tarballDir}`);
      npmArgs.push(join(tarballDir, file));
      packageNames.push(bundled.packageName);
      continue;
    }
    const name = packageNameOf(word);
    if (!NPM_NAME.test(name)) throw new Error(`plugin "${word}" is not an npm package name or name@version`);
    if (name === word) {
      const known = BUNDLED_PLUGINS.map((p) => p.alias).join(", ");
      throw new Error(`plugin "${word}" is not a bundled plugin (${known}); give other packages with a version: ${word}@1.2.3`);
    }
    npmArgs.push(word);
    packageNames.push(name);
  }
  if (npmArgs.length === 0) throw new Error("no plugins given: name at least one (e.g. PLUGINS=template)");
  return { npmArgs, packageNames };
}
