// Compares the packages installed in a node_modules directory (an image's) with pnpm-lock.yaml:
//
//   node lockfile-versions.js <repo-root> <node_modules-dir> <workspace-package>...
//
// Expected: the workspace packages named (for example @flyte-agent/core, @flyte-agent/template)
// at their package.json versions, and every package the lockfile resolves for their production
// dependencies, transitively, at the lockfile's version. Installed: every package directory under
// node_modules, nested ones included. Prints each difference (a version the lockfile does not
// hold, a locked package missing, a package nothing needs) and exits 1; prints a summary line
// and exits 0 when they are the same.
const { existsSync, readdirSync, readFileSync } = require("node:fs");
const { createRequire } = require("node:module");
const { join } = require("node:path");

const [root, nodeModules, ...roots] = process.argv.slice(2);
if (!root || !nodeModules || roots.length === 0) {
  console.error("usage: lockfile-versions.js <repo-root> <node_modules-dir> <workspace-package>...");
  process.exit(2);
}
// The yaml package is a dependency of core (the repository root has no hoisted node_modules).
const { parse } = createRequire(join(root, "packages", "core", "package.json"))("yaml");
const lock = parse(readFileSync(join(root, "pnpm-lock.yaml"), "utf8"));

/** Workspace package name -> { importer path, version }. */
const workspace = new Map();
for (const importer of Object.keys(lock.importers)) {
  const file = join(root, importer, "package.json");
  if (importer === "." || !existsSync(file)) continue;
  const pkg = JSON.parse(readFileSync(file, "utf8"));
  workspace.set(pkg.name, { importer, version: pkg.version });
}

/** "1.2.3(peer@4.5.6)" -> "1.2.3" */
const plain = (version) => version.replace(/\(.*$/, "");

// What the lockfile says the named packages need, as "name@version" (production dependencies).
const expected = new Set();
const optional = new Set();
const seenSnapshots = new Set();
function addSnapshot(name, version, viaOptional) {
  const key = `${name}@${version}`;
  const id = `${name}@${plain(version)}`;
  if (viaOptional) optional.add(id);
  else expected.add(id);
  if (seenSnapshots.has(key)) return;
  seenSnapshots.add(key);
  const snapshot = lock.snapshots?.[key] ?? {};
  for (const [dep, v] of Object.entries(snapshot.dependencies ?? {})) addSnapshot(dep, v, viaOptional);
  for (const [dep, v] of Object.entries(snapshot.optionalDependencies ?? {})) addSnapshot(dep, v, true);
}
const seenImporters = new Set();
function addImporter(name) {
  const ws = workspace.get(name);
  if (!ws) throw new Error(`${name} is not a workspace package`);
  if (seenImporters.has(name)) return;
  seenImporters.add(name);
  const importer = lock.importers[ws.importer];
  for (const kind of ["dependencies", "optionalDependencies"]) {
    for (const [dep, { version }] of Object.entries(importer[kind] ?? {})) {
      if (version.startsWith("link:")) addImporter(dep);
      else addSnapshot(dep, version, kind === "optionalDependencies");
    }
  }
}
for (const name of roots) addImporter(name);
for (const id of expected) optional.delete(id);

// What is installed.
const installed = [];
function scan(dir) {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir)) {
    if (entry.startsWith(".")) continue;
    const dirs = entry.startsWith("@") ? readdirSync(join(dir, entry)).map((s) => join(dir, entry, s)) : [join(dir, entry)];
    for (const packageDir of dirs) {
      const file = join(packageDir, "package.json");
      if (!existsSync(file)) continue;
      const { name, version } = JSON.parse(readFileSync(file, "utf8"));
      installed.push({ name, version, path: packageDir.slice(nodeModules.length + 1) });
      scan(join(packageDir, "node_modules"));
    }
  }
}
scan(nodeModules);

const problems = [];
const copies = new Map();
for (const { name, version, path } of installed) {
  const ws = workspace.get(name);
  if (ws) {
    if (!seenImporters.has(name)) problems.push(`${path}: workspace package ${name} is installed, but not asked for`);
    if (version !== ws.version) problems.push(`${path}: ${name}@${version}, but the workspace has ${ws.version}`);
    continue;
  }
  const id = `${name}@${version}`;
  if (!lock.packages?.[id]) problems.push(`${path}: ${id} is not in pnpm-lock.yaml`);
  else if (!expected.has(id) && !optional.has(id)) problems.push(`${path}: ${id} is installed, but nothing asked for needs it`);
  copies.set(id, [...(copies.get(id) ?? []), path]);
}
for (const id of expected) if (!copies.has(id)) problems.push(`${id} (pnpm-lock.yaml) is not installed`);
for (const name of seenImporters) if (!installed.some((p) => p.name === name)) problems.push(`${name} is not installed`);

if (problems.length > 0) {
  console.error(problems.join("\n"));
  process.exit(1);
}
console.log(
  `${installed.length} packages installed, every one at its pnpm-lock.yaml version (${expected.size} locked dependencies of ${roots.join(", ")})`,
);
