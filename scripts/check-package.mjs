// Checks the tarball a package would publish, as a user's tools would see it: packs the package
// with pnpm (workspace: ranges rewritten, `files` applied), then runs publint (every message,
// suggestions included, is a failure) and @arethetypeswrong/cli (types and runtime agree for
// Node 16+ resolution in CommonJS and ES module importers). Run from the package directory;
// exits non-zero when either tool reports anything.
//
// Two attw settings are deliberate: the `node16` profile, because `engines` admits only Node 20+
// (the node10 resolution cannot see `exports` subpaths); and `cjs-only-exports-default` is not a
// problem here: a plugin's default export is the plugin object that discovery reads as the
// `default` property of the loaded module, whether loaded with require() or import(), and
// everything a user imports by hand is a named export.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { publint } from "publint";
import { formatMessage } from "publint/utils";

const require = createRequire(import.meta.url);
const pkgJson = require(join(process.cwd(), "package.json"));
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
  const attw = spawnSync(
    process.execPath,
    [attwBin, tarball, "--profile", "node16", "--ignore-rules", "cjs-only-exports-default", "--format", "ascii"],
    { encoding: "utf8" },
  );
  if (attw.status !== 0) problems.push(`attw:\n${attw.stdout}${attw.stderr}`);
  if (problems.length > 0) {
    process.stderr.write(`${pkgJson.name}: the published package has problems:\n${problems.join("\n")}\n`);
    process.exitCode = 1;
  } else {
    process.stdout.write(`${pkgJson.name}: publint and attw report nothing\n`);
  }
} finally {
  rmSync(dest, { recursive: true, force: true });
}
