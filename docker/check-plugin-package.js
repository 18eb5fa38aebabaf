#!/usr/bin/env node
// Checks a plugin given to docker/build.sh as a directory or a .tgz before it goes into an image:
// it must be an npm package that declares a Flyte agent plugin (`flyteAgent.plugin` in its
// package.json) and whose range on @flyte-agent/core (peer or regular dependency) admits the core
// the image is built with. Prints what is wrong, naming the plugin, and exits 1.
//
//   node docker/check-plugin-package.js <dir-or-tgz>
const { execFileSync } = require("node:child_process");
const { existsSync, readFileSync, statSync } = require("node:fs");
const { join } = require("node:path");
const semver = require("semver");

const CORE = "@flyte-agent/core";
const coreVersion = require(join(__dirname, "..", "packages", "core", "package.json")).version;

function readManifest(input) {
  if (statSync(input).isDirectory()) {
    const file = join(input, "package.json");
    if (!existsSync(file)) throw new Error("not a plugin package: it has no package.json");
    return JSON.parse(readFileSync(file, "utf8"));
  }
  let text;
  try {
    text = execFileSync("tar", ["-xzOf", input, "package/package.json"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    });
  } catch {
    throw new Error("not a plugin package: not an npm package tarball (no package/package.json in it)");
  }
  return JSON.parse(text);
}

function check(input) {
  const pkg = readManifest(input);
  const label = pkg.name ? `${input} (${pkg.name})` : input;
  if (!pkg.flyteAgent || typeof pkg.flyteAgent.plugin !== "string") {
    throw new Error(`plugin ${label}: not a plugin package: its package.json has no "flyteAgent": { "plugin": ... } entry`);
  }
  const declared = pkg.peerDependencies?.[CORE] ?? pkg.dependencies?.[CORE];
  if (!declared) throw new Error(`plugin ${label}: it does not declare ${CORE} as a peer dependency`);
  const range = declared.startsWith("workspace:")
    ? declared.slice("workspace:".length).replace(/^([\^~])$/, `$1${coreVersion}`)
    : declared;
  if (range !== "*" && !semver.satisfies(coreVersion, range)) {
    throw new Error(`plugin ${label}: needs ${CORE}@${declared}, but the image has ${CORE}@${coreVersion}`);
  }
}

try {
  check(process.argv[2]);
} catch (err) {
  process.stderr.write(`build.sh: ${err.message}\n`);
  process.exit(1);
}
