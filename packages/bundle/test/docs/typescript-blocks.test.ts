/**
 * Every `ts` block of every Markdown file type-checks (strict, as the packages are) against the
 * built packages of this repository, each block as a module of its own. A block that is a
 * fragment on purpose has `<!-- not-checked: <reason> -->` on the line above it.
 *
 * The blocks are written to a temporary directory whose node_modules links every workspace
 * package by name and every other package a block imports (resolved from the workspace
 * packages), so imports resolve as they would for a user who installed the packages.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { codeBlocks, markdownFiles, ROOT, skipReason } from "./markdown";

const blocks = markdownFiles()
  .flatMap(codeBlocks)
  .filter((b) => b.lang === "ts" || b.lang === "typescript");
const checked = blocks.filter((b) => skipReason(b, "not-checked") === undefined);

const workspacePackages = readdirSync(join(ROOT, "packages")).map((dir) => {
  const path = join(ROOT, "packages", dir);
  return { path, name: (JSON.parse(readFileSync(join(path, "package.json"), "utf8")) as { name: string }).name };
});

/** The directory of an installed package a block imports, looked up from every workspace package. */
function externalPackage(name: string): string | undefined {
  for (const p of workspacePackages) {
    try {
      return dirname(require.resolve(`${name}/package.json`, { paths: [p.path] }));
    } catch {
      // not a dependency of this one
    }
  }
  return undefined;
}

const packageOf = (specifier: string) =>
  specifier.startsWith("@") ? specifier.split("/").slice(0, 2).join("/") : (specifier.split("/")[0] ?? specifier);

let dir: string;
let result: { status: number | null; output: string };

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "docs-ts-"));
  const modules = join(dir, "node_modules");
  const link = (name: string, target: string) => {
    mkdirSync(dirname(join(modules, name)), { recursive: true });
    symlinkSync(target, join(modules, name), "dir");
  };
  for (const p of workspacePackages) link(p.name, p.path);
  const imported = new Set(
    checked.flatMap((b) => [...b.body.matchAll(/from\s+"([^".][^"]*)"/g)].map((m) => packageOf(m[1] ?? ""))),
  );
  for (const name of imported) {
    if (name.startsWith("node:") || workspacePackages.some((p) => p.name === name)) continue;
    const target = externalPackage(name);
    if (target) link(name, target);
  }
  link("@types/node", dirname(require.resolve("@types/node/package.json")));
  // Test examples use jest's globals, as the packages' tests do.
  link("@types/jest", dirname(require.resolve("@types/jest/package.json", { paths: [ROOT] })));
  const files = checked.map((b, i) => {
    const file = `block-${i}.ts`;
    writeFileSync(join(dir, file), `// ${b.file}:${b.line}\n${b.body}\nexport {};\n`);
    return file;
  });
  writeFileSync(join(dir, "package.json"), '{ "type": "module" }\n');
  writeFileSync(
    join(dir, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        target: "ES2022",
        module: "Node16",
        moduleResolution: "Node16",
        lib: ["ES2022"],
        types: ["node", "jest"],
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        noUnusedLocals: false,
      },
      files,
    }),
  );
  const tsc = require.resolve("typescript/bin/tsc");
  const r = spawnSync(process.execPath, [tsc, "-p", "tsconfig.json"], { cwd: dir, encoding: "utf8" });
  result = { status: r.status, output: `${r.stdout}${r.stderr}` };
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("the docs have TypeScript examples, and every not-checked one says why", () => {
  expect(checked.length).toBeGreaterThan(5);
  for (const b of blocks) {
    if (/^not-checked\b/.test(b.comment ?? "")) expect(skipReason(b, "not-checked")).toMatch(/\S{3,}/);
  }
});

test("every TypeScript example type-checks", () => {
  // Name each error by the Markdown file and line of its block.
  const located = result.output.replace(/block-(\d+)\.ts\((\d+),(\d+)\)/g, (_m, i: string, line: string, col: string) => {
    const b = checked[Number(i)];
    return b ? `${b.file}:${b.line + Number(line) - 1}:${col}` : _m;
  });
  expect({ status: result.status, errors: located }).toEqual({ status: 0, errors: "" });
});
