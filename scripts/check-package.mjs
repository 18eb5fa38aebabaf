// Checks the tarball a package would publish, as a user's tools would see it: packs the package
// with pnpm (workspace: ranges rewritten, `files` applied), then runs publint (every message,
// suggestions included, is a failure), @arethetypeswrong/cli with no ignored rule, and
// check-module-formats.mjs (what `import` and `require` really load from the tarball). Run from
// the package directory; exits non-zero when any of them reports anything.
//
// attw's profile: `node16` (Node 16+ resolution from CommonJS and ES modules, and bundlers) for
// the dual packages of this repository: CommonJS build plus an ES module entry per `exports`
// subpath (docs/plugin-shape.md); `esm-only` for a package with "type": "module" (a plugin made
// with `flyte-agent new --esm`), which CommonJS importers load with import().
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { publint } from "publint";
import { checkModuleFormats } from "./check-module-formats.mjs";
import { formatMessage } from "publint/utils";

const require = createRequire(import.meta.url);
const pkgJson = require(join(process.cwd(), "package.json"));
// A package with "type": "module" (a plugin made with `flyte-agent new --esm`) is ES modules only:
// attw's esm-only profile. Every other package is a dual package, checked for every resolution.
const profile = pkgJson.type === "module" ? "esm-only" : "node16";
const dest = mkdtempSync(join(tmpdir(), "flyte-agent-check-package-"));
try {
  execFileSync("pnpm", ["pack", "--pack-destination", dest], { stdio: ["ignore", "ignore", "inherit"] });
  const tarball = join(
    dest,
    readdirSync(dest).find((f) => f.endsWith(".tgz")),
  );
  const { messages, pkg } = await publint({
    pkgDir: "package",
    level: "suggestion",
    strict: true,
    pack: { tarball: new Uint8Array(readFileSync(tarball)).buffer },
  });
  const problems = messages.map((m) => `publint ${m.type}: ${formatMessage(m, pkg)}`);
  const attwBin = join(dirname(require.resolve("@arethetypeswrong/cli/package.json")), "dist", "index.js");
  const attw = spawnSync(process.execPath, [attwBin, tarball, "--profile", profile, "--format", "ascii"], { encoding: "utf8" });
  if (attw.status !== 0) problems.push(`attw:\n${attw.stdout}${attw.stderr}`);
  problems.push(...(await checkModuleFormats(tarball)).map((p) => `module formats: ${p}`));
  if (problems.length > 0) {
    process.stderr.write(`${pkgJson.name}: the published package has problems:\n${problems.join("\n")}\n`);
    process.exitCode = 1;
  } else {
    process.stdout.write(`${pkgJson.name}: publint and attw report nothing; import and require give the same exports\n`);
  }
} finally {
  rmSync(dest, { recursive: true, force: true });
}
