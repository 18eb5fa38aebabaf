#!/usr/bin/env node
// Picks the image's plugins. docker/Dockerfile runs it in /opt/flyte-agent while building:
//
//   node image-plugins.js <tarball-dir> PLUGINS...
//
// docker/build.sh puts into the build context a node_modules made with `pnpm deploy` from
// pnpm-lock.yaml: flyteidl, core, the bundle and every bundled plugin, each dependency at the
// version the lockfile holds. This script
//  1. checks PLUGINS with the bundle's own rules (an unknown name fails the build);
//  2. writes the image's package.json: flyteidl, core, the bundle and the chosen bundled plugins,
//     pointing at their tarballs in <tarball-dir> (so that npm in an image built FROM this one
//     knows where they came from);
//  3. removes the bundled plugins not chosen and every package that only they needed, following
//     dependencies the way Node resolves them (nothing is added, no version changes);
//  4. prints the npm install arguments of the other plugins (packed team plugins, registry
//     specs), one per line: npm installs those with their own dependencies.
const { existsSync, lstatSync, readdirSync, readFileSync, rmSync, writeFileSync } = require("node:fs");
const { basename, dirname, join, relative } = require("node:path");

const ROOT = process.cwd();
const NODE_MODULES = join(ROOT, "node_modules");
const BASE_PACKAGES = ["@flyte-agent/flyteidl", "@flyte-agent/core", "@flyte-agent/bundle"];

function readJson(file) {
  return JSON.parse(readFileSync(file, "utf8"));
}

/** The directory Node loads package `name` from when it is required from `fromDir`. */
function resolvePackageDir(fromDir, name) {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    if (basename(dir) !== "node_modules") {
      const candidate = join(dir, "node_modules", name);
      if (existsSync(join(candidate, "package.json"))) return candidate;
    }
    if (dir === ROOT || dirname(dir) === dir) return undefined;
  }
}

/** Every package directory under a node_modules directory, nested ones included. */
function packageDirs(nodeModules) {
  const found = [];
  const entries = existsSync(nodeModules) ? readdirSync(nodeModules) : [];
  for (const entry of entries) {
    if (entry.startsWith(".")) continue;
    const dirs = entry.startsWith("@")
      ? readdirSync(join(nodeModules, entry)).map((s) => join(nodeModules, entry, s))
      : [join(nodeModules, entry)];
    for (const dir of dirs) {
      if (!existsSync(join(dir, "package.json"))) continue;
      found.push(dir, ...packageDirs(join(dir, "node_modules")));
    }
  }
  return found;
}

/** The package directories reachable from the root's dependencies (required and optional peers that are present). */
function reachable(rootDependencies) {
  const seen = new Set();
  const queue = [];
  const visit = (fromDir, name) => {
    const dir = resolvePackageDir(fromDir, name);
    if (dir && !seen.has(dir)) {
      seen.add(dir);
      queue.push(dir);
    }
  };
  for (const name of rootDependencies) visit(ROOT, name);
  while (queue.length > 0) {
    const dir = queue.pop();
    const pkg = readJson(join(dir, "package.json"));
    const optionalPeers = pkg.peerDependenciesMeta ?? {};
    const names = [
      ...Object.keys(pkg.dependencies ?? {}),
      ...Object.keys(pkg.optionalDependencies ?? {}),
      ...Object.keys(pkg.peerDependencies ?? {}).filter((n) => optionalPeers[n]?.optional !== true),
    ];
    for (const name of names) visit(dir, name);
  }
  return seen;
}

/** Removes the links in the node_modules/.bin directories whose target is gone. */
function removeDanglingBins() {
  const binDirs = [NODE_MODULES, ...packageDirs(NODE_MODULES).map((dir) => join(dir, "node_modules"))].map((nm) =>
    join(nm, ".bin"),
  );
  for (const bin of binDirs.filter((dir) => existsSync(dir))) {
    for (const entry of readdirSync(bin)) {
      const link = join(bin, entry);
      if (lstatSync(link).isSymbolicLink() && !existsSync(link)) rmSync(link);
    }
  }
}

function main() {
  const [tarballDir, ...words] = process.argv.slice(2);
  if (!tarballDir) throw new Error("usage: image-plugins.js <tarball-dir> PLUGINS...");
  const bundle = require(join(NODE_MODULES, "@flyte-agent", "bundle"));
  const plan = bundle.planInstall(words.join(" "), tarballDir);
  const chosen = [];
  const others = [];
  plan.npmArgs.forEach((arg, i) => {
    const name = plan.packageNames[i];
    if (bundle.findBundledPlugin(name) && dirname(arg) === tarballDir) chosen.push(name);
    else others.push(arg);
  });

  const tarballs = readdirSync(tarballDir);
  const dependencies = {};
  for (const name of [...BASE_PACKAGES, ...chosen]) {
    const { version } = readJson(join(NODE_MODULES, name, "package.json"));
    const file = `${name.replace(/^@/, "").replace("/", "-")}-${version}.tgz`;
    if (!tarballs.includes(file)) throw new Error(`no tarball ${file} for ${name} in ${tarballDir}`);
    dependencies[name] = `file:${relative(ROOT, join(tarballDir, file))}`;
  }
  writeFileSync(
    join(ROOT, "package.json"),
    `${JSON.stringify({ name: "flyte-agent-image", private: true, dependencies }, null, 2)}\n`,
  );

  const keep = reachable(Object.keys(dependencies));
  for (const dir of packageDirs(NODE_MODULES)) {
    if (!keep.has(dir) && existsSync(dir)) rmSync(dir, { recursive: true, force: true });
  }
  for (const scope of readdirSync(NODE_MODULES)) {
    const dir = join(NODE_MODULES, scope);
    if (scope.startsWith("@") && readdirSync(dir).length === 0) rmSync(dir, { recursive: true });
  }
  removeDanglingBins();
  process.stderr.write(`image-plugins: bundled plugins ${chosen.join(" ") || "(none)"}; ${keep.size} packages kept\n`);
  if (others.length > 0) process.stdout.write(`${others.join("\n")}\n`);
}

try {
  main();
} catch (err) {
  process.stderr.write(`image-plugins: ${err.message}\n`);
  process.exit(1);
}
