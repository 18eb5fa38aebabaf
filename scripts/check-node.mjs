// The repository's own commands (build, tests, system tests, `pnpm start`) run on Node 24: the
// root devDependency `node` (the npm package node@24) puts that binary first on the PATH of every
// pnpm script, turbo task and system test, whatever Node started pnpm. This check prints the Node
// that runs the scripts and fails on an older one, so a suite that silently ran on the host's
// Node is a failure, not a pass. Published packages still support Node 22 (`engines`).
//   node scripts/check-node.mjs [label]
const MINIMUM_MAJOR = 24;
const major = Number(process.versions.node.split(".")[0]);
const label = process.argv[2] ?? "scripts";
if (major < MINIMUM_MAJOR) {
  process.stderr.write(
    `${label}: running on Node ${process.version} (${process.execPath}); the repository's commands need Node ${MINIMUM_MAJOR}. ` +
      "Run them through pnpm after `pnpm install`, which puts node_modules/.bin/node (node@24) first on PATH.\n",
  );
  process.exit(1);
}
process.stdout.write(`${label}: Node ${process.version} (${process.execPath})\n`);
