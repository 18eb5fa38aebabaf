/**
 * Every `sh` block of every Markdown file runs, on the fresh build `pnpm test` makes, from the
 * directory it names, and must exit 0. The conventions (docs/writing-docs.md):
 *
 * - A block runs from its Markdown file's directory, unless its first line names another one:
 *   `# in packages/template` (relative to the repository root), or `# in a new directory` (an
 *   empty temporary directory).
 * - A block written as a transcript (`$ command` lines followed by their output) runs only its
 *   `$` lines.
 * - A block that cannot run here (it needs a registry, a cluster, a container runtime, or it
 *   serves until stopped) has `<!-- not-run: <reason> -->` on the line above it; it is reported
 *   as skipped with its reason.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { type CodeBlock, codeBlocks, markdownFiles, ROOT, skipReason } from "./markdown";

const SHELL_LANGS = new Set(["sh", "bash", "shell", "console"]);
/** Longest a block may take, in seconds; the blocks that run take about a second each. */
const BLOCK_TIMEOUT_S = 60;

/** What git sees changed in the checkout: a block must leave it as it was (undefined outside git). */
function checkoutState(): string | undefined {
  const r = spawnSync("git", ["status", "--porcelain", "--untracked-files=all"], { cwd: ROOT, encoding: "utf8" });
  return r.status === 0 ? r.stdout : undefined;
}

const blocks = markdownFiles()
  .flatMap(codeBlocks)
  .filter((b) => SHELL_LANGS.has(b.lang));

/** The directory a block runs in, and the commands it runs. */
export function plan(block: CodeBlock): { dir: string | "new"; script: string } {
  const lines = block.body.split("\n");
  const named = /^#\s+in\s+(.+?)\s*$/.exec(lines[0] ?? "")?.[1];
  const dir = named === undefined ? dirname(block.file) : named === "a new directory" ? "new" : named;
  const transcript = lines.filter((l) => l.startsWith("$ "));
  const script = transcript.length > 0 ? transcript.map((l) => l.slice(2)).join("\n") : block.body;
  return { dir, script };
}

test("the docs have shell blocks to run, and every not-run block says why", () => {
  expect(blocks.length).toBeGreaterThan(20);
  for (const b of blocks) {
    if (/^not-run\b/.test(b.comment ?? ""))
      expect({ at: `${b.file}:${b.line}`, reason: skipReason(b, "not-run") }).toEqual({
        at: `${b.file}:${b.line}`,
        reason: expect.stringMatching(/\S{3,}/),
      });
  }
});

describe.each(blocks.map((b) => [`${b.file}:${b.line}`, b] as const))("%s", (_at, block) => {
  const reason = skipReason(block, "not-run");
  if (reason !== undefined) {
    test.skip(`not-run: ${reason}`, () => undefined);
    return;
  }
  test("runs and exits 0", () => {
    const { dir, script } = plan(block);
    const cwd = dir === "new" ? mkdtempSync(join(tmpdir(), "docs-sh-")) : join(ROOT, dir);
    const before = checkoutState();
    try {
      // timeout(1) signals the block's whole process group, so a command that does not end is
      // stopped with everything it started.
      const r = spawnSync("timeout", ["--kill-after=5", String(BLOCK_TIMEOUT_S), "bash", "-euo", "pipefail", "-c", script], {
        cwd,
        encoding: "utf8",
        env: { ...process.env, NO_COLOR: "1", npm_config_yes: "false", npm_config_offline: "true" },
      });
      expect({ status: r.status, output: `${r.stdout}${r.stderr}`.slice(-3000) }).toEqual({
        status: 0,
        output: expect.any(String),
      });
      // Docs commands run in a checkout must not leave files in it.
      expect(checkoutState()).toEqual(before);
    } finally {
      if (dir === "new") rmSync(cwd, { recursive: true, force: true });
    }
  });
});
