// `flyte-agent new`'s work: copy the template package under a new name, or make a standalone
// project. Loaded by new.ts when the command runs.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import type { NewFlags } from "./new";
import { newPluginReadme } from "./new-plugin-readme";
import { standaloneReadme } from "./standalone-readme";
import { UsageError } from "./usage-error";
import { makeStandalone, makeWorkspaceEsm } from "./standalone";

/** Names of a new plugin, derived from its package directory name. */
export interface PluginNames {
  /** Directory name, e.g. `my-system`. */
  dir: string;
  /** npm package name, e.g. `@flyte-agent/my-system`. */
  packageName: string;
  /** Prefix of class names, e.g. `MySystem`. */
  pascal: string;
  /** Prefix of agent display names, e.g. `My System`. */
  title: string;
  /** Prefix of task categories, e.g. `my_system`. */
  snake: string;
  /** Prefix of function names, e.g. `mySystem`. */
  camel: string;
}

const NAME_PATTERN = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
/** Directories and files of the template that are never copied. */
const SKIP = new Set(["node_modules", "dist", ".turbo", "coverage"]);
const TEMPLATE_PACKAGE = "@flyte-agent/template";

/** Derives every name of a new plugin; throws on a name that is not lower-case kebab-case. */
export function pluginNames(name: string): PluginNames {
  if (!NAME_PATTERN.test(name)) {
    throw new Error(
      `plugin name "${name}" must be lower-case letters, digits and single dashes, starting with a letter (e.g. "my-system")`,
    );
  }
  const words = name.split("-");
  const cap = (w: string) => w.charAt(0).toUpperCase() + w.slice(1);
  return {
    dir: name,
    packageName: `@flyte-agent/${name}`,
    pascal: words.map(cap).join(""),
    title: words.map(cap).join(" "),
    snake: words.join("_"),
    camel: words.map((w, i) => (i === 0 ? w : cap(w))).join(""),
  };
}

/** Rewrites one template file for the new plugin. */
export function renameInText(text: string, names: PluginNames): string {
  return text
    .replaceAll(TEMPLATE_PACKAGE, names.packageName)
    .replaceAll("custom_sync_task", `${names.snake}_sync_task`)
    .replaceAll("custom_task", `${names.snake}_task`)
    .replaceAll("custom_agent", `${names.snake}_agent`)
    .replaceAll("custom-task", `${names.dir}-task`)
    .replace(/\bcustom(?=(?:Sync)?Task[A-Z])/g, names.camel)
    .replace(/\bCustom(?=[A-Z])/g, names.pascal)
    .replace(/\bCustom(?= (?:Sync )?Agent\b)/g, names.title)
    .replace(/<!-- template-only -->[\s\S]*?<!-- \/template-only -->\n?/g, "")
    .replace(
      /<!-- template-intro -->[\s\S]*?<!-- \/template-intro -->/g,
      `A Flyte agent plugin, created with \`flyte-agent new ${names.dir}\` from the custom-agent template.`,
    );
}

function copyTree(from: string, to: string, names: PluginNames, written: string[]): void {
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from)) {
    if (SKIP.has(entry) || entry.endsWith(".tsbuildinfo")) continue;
    const source = join(from, entry);
    const target = join(to, entry.replace(/^custom-/, `${names.dir}-`));
    if (statSync(source).isDirectory()) {
      copyTree(source, target, names, written);
    } else if (/\.(m?ts|js|json|md|ya?ml|txt)$/.test(entry) || !entry.includes(".")) {
      writeFileSync(target, renameInText(readFileSync(source, "utf8"), names));
      written.push(target);
    } else {
      copyFileSync(source, target);
      written.push(target);
    }
  }
}

/** The nearest directory at or above `start` holding pnpm-workspace.yaml, else `undefined`. */
function findWorkspaceRoot(start: string): string | undefined {
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    if (existsSync(join(dir, "pnpm-workspace.yaml"))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

/** Where the template package is: `--template`, else `@flyte-agent/template` as installed. */
function findTemplate(explicit: string | undefined, searchFrom: string[]): string {
  if (explicit) {
    const dir = resolve(explicit);
    if (!existsSync(join(dir, "package.json"))) throw new Error(`--template ${explicit}: no package.json there`);
    return dir;
  }
  try {
    return dirname(require.resolve(`${TEMPLATE_PACKAGE}/package.json`, { paths: searchFrom }));
  } catch {
    throw new Error(
      `cannot find ${TEMPLATE_PACKAGE}: install it (npm install --save-dev ${TEMPLATE_PACKAGE}, or pnpm add -D ${TEMPLATE_PACKAGE} in a pnpm workspace) or pass --template <dir>`,
    );
  }
}

function writeJson(path: string, value: unknown): void {
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}

/** Sets the new package's name and description; returns the package.json path. */
function rewritePackageJson(dir: string, names: PluginNames): void {
  const path = join(dir, "package.json");
  const pkg = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
  pkg.name = names.packageName;
  pkg.version = "0.1.0";
  pkg.description = `Flyte agent plugin ${names.dir}: task types ${names.snake}_task and ${names.snake}_sync_task`;
  writeJson(path, pkg);
}

/** Adds the new package to the workspace root's devDependencies, so `flyte-agent serve` there finds it. */
function registerInRoot(root: string, names: PluginNames): boolean {
  const path = join(root, "package.json");
  if (!existsSync(path)) return false;
  const pkg = JSON.parse(readFileSync(path, "utf8")) as { devDependencies?: Record<string, string> };
  const deps = { ...pkg.devDependencies, [names.packageName]: "workspace:*" };
  pkg.devDependencies = Object.fromEntries(Object.entries(deps).sort(([a], [b]) => a.localeCompare(b)));
  writeJson(path, pkg);
  return true;
}

/**
 * Creates a plugin package from the template as `flyte-agent new <name>` does, and prints what
 * it made and the next steps. Throws on a bad name, an existing target or no workspace.
 */
export function createPlugin(name: string, flags: NewFlags): void {
  if (flags.standalone) {
    newStandalone(name, flags);
    return;
  }
  const names = pluginNames(name);
  const cwd = process.cwd();
  const root = findWorkspaceRoot(cwd);
  if (root === undefined && !flags.dir) {
    throw new UsageError(
      `no pnpm workspace here (no pnpm-workspace.yaml in ${cwd} or above), so there is no packages/ directory for ${name}.\n` +
        `For a plugin project of its own: flyte-agent new ${name} --standalone  (or: npm create flyte-agent@latest ${name})\n` +
        `To add it to a workspace, run this inside it, or choose the directory with --dir.`,
    );
  }
  const base = root ?? cwd;
  const template = findTemplate(flags.template, [base, cwd, __dirname]);
  const target = flags.dir ? resolve(flags.dir) : join(base, "packages", names.dir);
  if (existsSync(target)) throw new Error(`${target} already exists; pick another name or remove it`);

  const written: string[] = [];
  copyTree(template, target, names, written);
  rewritePackageJson(target, names);
  writeFileSync(join(target, "README.md"), newPluginReadme(names));
  if (flags.esm) makeWorkspaceEsm(target);
  const registered = flags.register && root !== undefined && registerInRoot(root, names);

  const shown = relative(cwd, target) || ".";
  const out = process.stdout;
  out.write(`Created ${shown} (${names.packageName}, ${written.length} files) from ${template}\n`);
  out.write(
    `  agents: "${names.title} Agent" (${names.snake}_task@0), "${names.title} Sync Agent" (${names.snake}_sync_task@0)\n`,
  );
  if (registered) out.write(`  added ${names.packageName} to the devDependencies of ${join(root, "package.json")}\n`);
  out.write("\nNext steps:\n");
  out.write("  pnpm install\n");
  out.write(`  pnpm turbo run test --filter=${names.packageName}   # builds, then runs the conformance and gRPC tests\n`);
  out.write("  pnpm exec flyte-agent serve                   # serves it with the other installed plugins\n");
  out.write(`Then replace the job in ${join(shown, "src", "agent.ts")} with calls to your system, and fill in\n`);
  out.write(`the configuration tables of ${join(shown, "README.md")} (the package shape: docs/plugin-shape.md).\n`);
}

/** `flyte-agent new <name> --standalone [--esm]`: a plugin project outside any workspace. */
function newStandalone(name: string, flags: NewFlags): void {
  const names = { ...pluginNames(name), packageName: name };
  const cwd = process.cwd();
  const template = findTemplate(flags.template, [cwd, __dirname]);
  const target = resolve(flags.dir ?? name);
  if (existsSync(target)) throw new Error(`${target} already exists; pick another name or remove it`);
  const written: string[] = [];
  copyTree(template, target, names, written);
  makeStandalone(target, {
    packageName: names.packageName,
    description: `Flyte agent plugin ${names.dir}: task types ${names.snake}_task and ${names.snake}_sync_task`,
    esm: flags.esm === true,
  });
  // The template's README is about the template inside the flyte-agent repository.
  writeFileSync(join(target, "README.md"), standaloneReadme(names, { esm: flags.esm === true }));
  const shown = relative(cwd, target) || ".";
  const out = process.stdout;
  out.write(`Created ${shown} (${names.packageName}${flags.esm ? ", ES module" : ""}) from ${template}\n`);
  out.write(
    `  agents: "${names.title} Agent" (${names.snake}_task@0), "${names.title} Sync Agent" (${names.snake}_sync_task@0)\n`,
  );
  out.write("\nNext steps:\n");
  out.write(`  cd ${shown}\n`);
  out.write("  npm install\n");
  out.write("  npm test              # builds, then runs the conformance and gRPC tests\n");
  out.write("  npm pack              # the tarball to install beside @flyte-agent/core or into an image\n");
  out.write(`Then replace the job in ${join(shown, "src", "agent.ts")} with calls to your system.\n`);
}
