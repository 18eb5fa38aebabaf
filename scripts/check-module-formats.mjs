// What ES module and CommonJS importers of a packed package get, checked from the tarball itself
// (used by check-package.mjs; run from the package directory):
//   import { checkModuleFormats } from "./check-module-formats.mjs"; await checkModuleFormats(tarball)
// The tarball is unpacked under the package's node_modules (so its dependencies resolve to the
// workspace's), then every subpath of its `exports` is loaded with `import` and, unless the
// package is ES modules only ("type": "module"), with `require`. For a dual package both must
// give the same named exports, each the very same value (one copy of the package, not two), and
// the same default export; for a plugin the default export must be the plugin (tagged by core)
// under both, and the module named by the `flyteAgent.plugin` marker (what `flyte-agent serve`
// loads) must hold that same plugin. Returns the problems found (check-package.mjs prints them).
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const PLUGIN_TAG = Symbol.for("flyte-agent.plugin");
/**
 * Names an ES module wrapper's `export * from "./index.js"` passes on from any CommonJS module
 * besides its exports: TypeScript's interop marker and, from Node 23, the "module.exports" name.
 */
const INTEROP_NAMES = new Set(["default", "__esModule", "module.exports"]);
const isPlugin = (value) => typeof value === "object" && value !== null && value[PLUGIN_TAG] === true;

/** Loads every `exports` subpath of the package packed in `tarball`; returns the problems found. */
export async function checkModuleFormats(tarball) {
  mkdirSync(join(process.cwd(), "node_modules"), { recursive: true });
  const work = mkdtempSync(join(process.cwd(), "node_modules", ".check-module-formats-"));
  try {
    execFileSync("tar", ["-xzf", tarball, "-C", work]);
    const pkg = JSON.parse(readFileSync(join(work, "package", "package.json"), "utf8"));
    const installed = join(work, "node_modules", pkg.name);
    mkdirSync(join(installed, ".."), { recursive: true });
    renameSync(join(work, "package"), installed);
    const require = createRequire(join(work, "importer.js"));
    // A bare import() here would resolve from scripts/; an ES module in the work directory
    // imports the package by name, through its "exports" and the "import" condition.
    writeFileSync(join(work, "importer.mjs"), "export const load = (spec) => import(spec);\n");
    const { load: importFromWork } = await import(pathToFileURL(join(work, "importer.mjs")).href);
    const esmOnly = pkg.type === "module";
    const problems = [];
    let defaultExport;
    for (const subpath of Object.keys(pkg.exports ?? {})) {
      if (subpath.endsWith(".json")) continue;
      const spec = pkg.name + subpath.slice(1);
      const resolvedPath = require.resolve(spec);
      if (!resolvedPath.startsWith(installed)) problems.push(`${spec} resolved outside the tarball: ${resolvedPath}`);
      const esm = await importFromWork(spec);
      if (subpath === ".") defaultExport = esm.default;
      if (esmOnly) continue;
      const cjs = require(spec);
      const esmNames = Object.keys(esm).filter((k) => !INTEROP_NAMES.has(k));
      const cjsNames = Object.keys(cjs).filter((k) => !INTEROP_NAMES.has(k));
      const missing = cjsNames.filter((k) => !esmNames.includes(k));
      const extra = esmNames.filter((k) => !cjsNames.includes(k));
      if (missing.length) problems.push(`import "${spec}" lacks named exports that require() has: ${missing.join(", ")}`);
      if (extra.length) problems.push(`import "${spec}" has named exports that require() lacks: ${extra.join(", ")}`);
      const different = esmNames.filter((k) => cjsNames.includes(k) && esm[k] !== cjs[k]);
      if (different.length) problems.push(`import and require of "${spec}" give different objects for: ${different.join(", ")}`);
      if (esm.default !== cjs.default) problems.push(`import "${spec}"'s default export is not require("${spec}").default`);
    }
    if (pkg.flyteAgent?.plugin) {
      if (!isPlugin(defaultExport)) problems.push(`import plugin from "${pkg.name}": the default export is not a plugin`);
      if (!esmOnly && !isPlugin(require(pkg.name).default)) problems.push(`require("${pkg.name}").default is not a plugin`);
      // What discovery does: import() of the marker's file, then the plugin under one or two `default`s.
      const marked = await import(pathToFileURL(resolve(installed, pkg.flyteAgent.plugin)).href);
      const found = isPlugin(marked.default) ? marked.default : marked.default?.default;
      if (found !== defaultExport)
        problems.push(`the flyteAgent.plugin module (${pkg.flyteAgent.plugin}) does not hold the package's plugin`);
    }
    return problems;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
