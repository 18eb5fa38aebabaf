// Publishes every public workspace package with `pnpm publish -r`, after a preflight that asks
// the registry about each package's version first. If any of them is already published, nothing
// is published at all and the message names each one, so a release never stops half-way through
// the package list because of an existing version.
//
//   node scripts/release.mjs [--registry URL] [--dry-run] [--resume] [-- extra pnpm publish args]
//
// --resume is for a release whose `pnpm publish -r` failed part-way (network, registry outage):
// the versions already published are reported and skipped (pnpm publish -r skips versions the
// registry has), the others are published.
//
// The registry is, in order: --registry, $npm_config_registry, npm's `@flyte-agent:registry`
// setting, then npm's configured registry.
// Credentials come from the user's .npmrc (or $NPM_CONFIG_USERCONFIG) as for any npm publish.
// Provenance (publishConfig.provenance) needs a CI with OIDC; elsewhere pass --no-provenance
// after `--`, or set npm_config_provenance=false.
import { execFileSync, spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** The packages `pnpm publish -r` would publish: every workspace package not marked private. */
function publicPackages() {
  return readdirSync(join(ROOT, "packages"), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => JSON.parse(readFileSync(join(ROOT, "packages", d.name, "package.json"), "utf8")))
    .filter((p) => !p.private)
    .map((p) => ({ name: p.name, version: p.version }));
}

/**
 * Whether `name@version` is already in the registry. npm answers E404 for a package or version
 * it does not have; any other failure (unreachable registry, 401) stops the release.
 */
function isPublished(name, version, registry) {
  const args = ["view", `${name}@${version}`, "version", "--json"];
  if (registry) args.push("--registry", registry);
  const r = spawnSync("npm", args, { encoding: "utf8", cwd: ROOT });
  if (r.status === 0) return r.stdout.trim() !== "";
  if (/E404|404 Not Found|is not in this registry/.test(`${r.stdout}${r.stderr}`)) return false;
  throw new Error(`cannot ask the registry about ${name}@${version}:\n${(r.stderr || r.stdout).trim()}`);
}

/** One npm setting as the user's .npmrc files give it ("" when unset). */
function npmConfig(key) {
  const value = execFileSync("npm", ["config", "get", key], { encoding: "utf8", cwd: ROOT }).trim();
  return value === "undefined" || value === "null" ? "" : value;
}

function main(argv) {
  const sep = argv.indexOf("--");
  const own = sep === -1 ? argv : argv.slice(0, sep);
  const extra = sep === -1 ? [] : argv.slice(sep + 1);
  let registry = process.env.npm_config_registry || "";
  const dryRun = own.includes("--dry-run");
  const resume = own.includes("--resume");
  const at = own.indexOf("--registry");
  if (at !== -1) registry = own[at + 1] ?? "";
  if (!registry) registry = npmConfig("@flyte-agent:registry");
  if (!registry) registry = npmConfig("registry");

  const packages = publicPackages();
  process.stdout.write(`release: checking ${packages.length} packages against ${registry}\n`);
  const existing = packages.filter((p) => isPublished(p.name, p.version, registry));
  if (existing.length > 0 && resume) {
    const list = existing.map((p) => `  ${p.name}@${p.version}`).join("\n");
    process.stdout.write(`release: resuming; already published, skipped:\n${list}\n`);
  } else if (existing.length > 0) {
    const list = existing.map((p) => `  ${p.name}@${p.version}`).join("\n");
    process.stderr.write(
      `release: stopped, nothing was published: these versions are already in ${registry}:\n${list}\n` +
        "A published version cannot be replaced. Add a changeset (pnpm changeset) and run\n" +
        "`pnpm version-packages` to move to new versions, commit, then run `pnpm release` again.\n",
    );
    return 1;
  }
  const publish = ["publish", "-r", "--no-git-checks", "--registry", registry, ...extra];
  if (dryRun) publish.push("--dry-run");
  process.stdout.write(`release: pnpm ${publish.join(" ")}\n`);
  const r = spawnSync("pnpm", publish, { stdio: "inherit", cwd: ROOT });
  if (r.status !== 0) {
    process.stderr.write(
      "release: pnpm publish failed part-way. Run `pnpm release` again once the cause is fixed:\n" +
        "the preflight lists what is already published; `pnpm publish -r` skips those versions,\n" +
        "so rerun with `node scripts/release.mjs --resume` to publish only the rest.\n",
    );
  }
  return r.status ?? 1;
}

process.exitCode = main(process.argv.slice(2));
