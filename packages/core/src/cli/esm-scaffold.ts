import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const URL_IMPORT = 'import { fileURLToPath } from "node:url";';
const MODULE_DIR = [
  "/** The directory of this ES module, from its URL. */",
  'const moduleDir = fileURLToPath(new URL(".", import.meta.url));',
];

/** Adds `.js` to relative import specifiers (`"./agent"` -> `"./agent.js"`, `"../src"` -> `"../src/index.js"`). */
export function withJsExtensions(source: string, isDirectory: (spec: string) => boolean): string {
  return source.replace(/(from\s+|import\s*\(\s*)"(\.{1,2}(?:\/[^"]*)?)"/g, (whole, lead: string, spec: string) => {
    if (/\.(c|m)?js$|\.json$/.test(spec)) return whole;
    return `${lead}"${isDirectory(spec) ? `${spec.replace(/\/$/, "")}/index.js` : `${spec}.js`}"`;
  });
}

/** An import statement of a source file: its first and last line and its module specifier. */
interface ImportLines {
  readonly start: number;
  readonly end: number;
  readonly spec: string;
}

/** The top-level import statements of `lines`, single- or multi-line. */
function importStatements(lines: string[]): ImportLines[] {
  const found: ImportLines[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^import[\s{"']/.test(lines[i] ?? "")) continue;
    for (let end = i; end < lines.length; end++) {
      const spec = /(?:from\s+|^import\s+)"([^"]+)";?\s*$/.exec(lines[end] ?? "")?.[1];
      if (spec !== undefined) {
        found.push({ start: i, end, spec });
        i = end;
        break;
      }
    }
  }
  return found;
}

/** Index of the first line after a leading block comment (0 when the file does not start with one). */
function leadingCommentEnd(lines: string[]): number {
  if (!lines[0]?.startsWith("/*")) return 0;
  return lines.findIndex((line) => line.includes("*/")) + 1;
}

/**
 * Rewrites `__dirname` (CommonJS only) for an ES module: a `moduleDir` constant computed from
 * `import.meta.url` after the imports, and `fileURLToPath` imported where a sorted import list
 * puts it (after the `node:` modules that sort before `node:url`). Lines that used `__dirname`
 * keep their length. Source without `__dirname` is returned unchanged.
 */
export function withoutDirname(source: string): string {
  if (!/\b__dirname\b/.test(source)) return source;
  const lines = source.replace(/\b__dirname\b/g, "moduleDir").split("\n");
  const imports = importStatements(lines);
  const last = imports.at(-1);
  if (last) lines.splice(last.end + 1, 0, "", ...MODULE_DIR);
  else lines.splice(leadingCommentEnd(lines), 0, ...MODULE_DIR, "");
  const hasUrlImport = imports.some(
    (i) => i.spec === "node:url" && /\bfileURLToPath\b/.test(lines.slice(i.start, i.end + 1).join(" ")),
  );
  if (!hasUrlImport) {
    const next = imports.find((i) => !(i.spec.startsWith("node:") && i.spec < "node:url"));
    const at = next ? next.start : last ? last.end + 1 : leadingCommentEnd(lines);
    lines.splice(at, 0, ...(last ? [URL_IMPORT] : [URL_IMPORT, ""]));
  }
  return lines.join("\n");
}

/** Options of {@link esmJestConfig}. */
export interface EsmJestOptions {
  /** Extend the workspace's jest.preset.js (a package in this workspace) instead of standing alone. */
  readonly workspacePreset: boolean;
}

/**
 * jest.config.js of an ES module plugin package: ts-jest emits ES modules (`useESM`), which jest
 * runs as such when Node has `--experimental-vm-modules` (the package's test script sets it), so
 * the tests see the package as Node does, `import.meta` included. `.js` specifiers are mapped back
 * to the TypeScript sources.
 */
export function esmJestConfig(options: EsmJestOptions): string {
  const head = options.workspacePreset
    ? "import preset from \"../../jest.preset.js\";\n\n/** @type {import('jest').Config} */\nexport default {\n  ...preset,\n"
    : '/** @type {import(\'jest\').Config} */\nexport default {\n  testEnvironment: "node",\n  roots: ["<rootDir>/test"],\n  testMatch: ["**/*.test.ts"],\n  testTimeout: 30000,\n';
  return `${head}  // The TypeScript of src/ and test/ runs as ES modules, like the built package.
  extensionsToTreatAsEsm: [".ts"],
  transform: {
    "^.+\\\\.ts$": [
      "ts-jest",
      { useESM: true, tsconfig: { isolatedModules: true, module: "ES2022", target: "ES2022", esModuleInterop: true, sourceMap: true } },
    ],
  },
  // Sources import each other as "./x.js" (the ES module rule); jest loads the .ts files.
  moduleNameMapper: { "^(\\\\.{1,2}/.*)\\\\.js$": "$1" },
};
`;
}

function listFiles(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}

/** Rewrites every .ts file under `dir` for ES modules: `.js` import specifiers, no `__dirname`. */
export function convertSourcesToEsm(dir: string): string[] {
  const written: string[] = [];
  for (const file of listFiles(dir)) {
    if (!file.endsWith(".ts")) continue;
    const here = join(file, "..");
    const isDirectory = (spec: string) => {
      try {
        return statSync(join(here, spec)).isDirectory();
      } catch {
        return false;
      }
    };
    const before = readFileSync(file, "utf8");
    const after = withoutDirname(withJsExtensions(before, isDirectory));
    if (after !== before) {
      writeFileSync(file, after);
      written.push(file);
    }
  }
  return written;
}

/**
 * The `exports` map of an ES module only package made from a dual one: each subpath's
 * `{ import, require }` pair becomes the one build (`{ types, default }`, the `require` side's
 * files, which an ES module package compiles to ES modules). Other entries are kept.
 */
export function esmOnlyExports(exports: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(exports).map(([subpath, target]) => {
      const cjs = (target as { require?: unknown } | null)?.require;
      return [subpath, typeof cjs === "object" && cjs !== null ? cjs : target];
    }),
  );
}

/**
 * Deletes the ES module entries (`*.mts`) of a dual package's sources: in an ES module package
 * the `.ts` files themselves compile to ES modules. Returns the files deleted.
 */
export function removeEsmEntries(dir: string): string[] {
  const removed = listFiles(dir).filter((file) => file.endsWith(".mts"));
  for (const file of removed) rmSync(file);
  return removed;
}

/**
 * Makes a plugin copied from the template an ES module package: src/ and test/ rewritten by
 * {@link convertSourcesToEsm}, the dual package's ES module entries removed
 * ({@link removeEsmEntries}), and an ES module jest.config.js ({@link esmJestConfig}) in place of
 * the CommonJS one. package.json's `"type"` and `exports` are the caller's to set. Returns the
 * files written.
 */
export function convertPackageToEsm(target: string, jest: EsmJestOptions): string[] {
  removeEsmEntries(join(target, "src"));
  const written = [...convertSourcesToEsm(join(target, "src")), ...convertSourcesToEsm(join(target, "test"))];
  for (const old of ["jest.config.js", "jest.config.cjs"]) rmSync(join(target, old), { force: true });
  const jestPath = join(target, "jest.config.js");
  writeFileSync(jestPath, esmJestConfig(jest));
  return [...written, jestPath];
}
