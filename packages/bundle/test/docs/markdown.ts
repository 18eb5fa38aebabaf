/**
 * The repository's documentation as the docs tests read it: every Markdown file outside
 * node_modules, dist and .git (found by walking the tree, so a README added by any change is
 * covered without being listed), and its fenced code blocks with the HTML comment right above
 * each one.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

/** The repository root. */
export const ROOT = join(__dirname, "..", "..", "..", "..");

const SKIPPED_DIRS = new Set(["node_modules", "dist", ".git", ".turbo", "coverage", ".changeset"]);

/** Every Markdown file of the repository, relative to the root, sorted. */
export function markdownFiles(dir = ROOT): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) out.push(...markdownFiles(join(dir, entry.name)));
    } else if (entry.name.endsWith(".md") && entry.name !== "CHANGELOG.md") {
      out.push(relative(ROOT, join(dir, entry.name)));
    }
  }
  return out.sort();
}

/** One fenced code block. */
export interface CodeBlock {
  /** The Markdown file, relative to the root. */
  readonly file: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  /** The fence's language (`sh`, `ts`, ...). */
  readonly lang: string;
  /** The text between the fences. */
  readonly body: string;
  /** The HTML comment on the line(s) right above the fence, without `<!--` and `-->`, if any. */
  readonly comment?: string;
}

/** The fenced code blocks of a Markdown file (indented fences inside lists included). */
export function codeBlocks(file: string): CodeBlock[] {
  const lines = readFileSync(join(ROOT, file), "utf8").split("\n");
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```([\w-]*)\s*$/.exec(lines[i] ?? "");
    if (!open) continue;
    const indent = open[1] ?? "";
    const end = lines.findIndex((l, j) => j > i && l.trim() === "```");
    if (end < 0) break;
    const above = (lines[i - 1] ?? "").trim();
    const comment = /^<!--\s*([\s\S]*?)\s*-->$/.exec(above)?.[1];
    const body = lines
      .slice(i + 1, end)
      .map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l))
      .join("\n");
    blocks.push({ file, line: i + 1, lang: open[2] ?? "", body, comment });
    i = end;
  }
  return blocks;
}

/** `not-run: <reason>` (or `not-checked: <reason>`) in a block's comment: the reason, else undefined. */
export function skipReason(block: CodeBlock, marker: "not-run" | "not-checked"): string | undefined {
  const m = new RegExp(`^${marker}:\\s*(.+)$`).exec(block.comment ?? "");
  return m?.[1];
}
