import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import ts from "typescript";

// ts-jest only transpiles, so a type error in a test would pass jest. Every package therefore has
// a `typecheck` script that turbo runs before its tests. This file checks that the script is the
// same everywhere, that its tsconfig covers every source and test file, and that the compiler
// options it uses reject a test file with a type error (and accept a correct one).

const PACKAGES_DIR = resolve(__dirname, "..", "..");
const TYPECHECK_SCRIPT = "tsc -p tsconfig.test.json";

const packageDirs = readdirSync(PACKAGES_DIR)
  .map((name) => join(PACKAGES_DIR, name))
  .filter((dir) => existsSync(join(dir, "package.json")));

/** The TypeScript files under `dir`, recursively (none when `dir` does not exist). */
function typeScriptFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (entry === "node_modules" || entry === "dist") return [];
    if (statSync(path).isDirectory()) return typeScriptFiles(path);
    return path.endsWith(".ts") ? [path] : [];
  });
}

/** The parsed tsconfig.test.json of a package, failing the test on any config error. */
function readTestConfig(packageDir: string): ts.ParsedCommandLine {
  const configPath = join(packageDir, "tsconfig.test.json");
  const parsed = ts.getParsedCommandLineOfConfigFile(configPath, undefined, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n"));
    },
  });
  if (!parsed) throw new Error(`${configPath} could not be read`);
  expect(parsed.errors.map((e) => ts.flattenDiagnosticMessageText(e.messageText, "\n"))).toEqual([]);
  return parsed;
}

/** Type-checks one in-memory file as if it were `<packageDir>/test/<name>`; returns its errors. */
function typeErrorsOf(packageDir: string, name: string, text: string): ts.Diagnostic[] {
  const { options } = readTestConfig(packageDir);
  const probePath = join(packageDir, "test", name);
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (file) => file === probePath || fileExists.call(host, file);
  host.readFile = (file) => (file === probePath ? text : readFile.call(host, file));
  host.getSourceFile = (file, language, ...rest) =>
    file === probePath ? ts.createSourceFile(file, text, language) : getSourceFile.call(host, file, language, ...rest);
  const program = ts.createProgram({ rootNames: [probePath], options, host });
  return [...ts.getPreEmitDiagnostics(program)];
}

test("the workspace has packages to check", () => {
  expect(packageDirs.map((dir) => dir.slice(PACKAGES_DIR.length + 1))).toEqual(
    expect.arrayContaining(["core", "testing", "template"]),
  );
});

test("turbo runs every package's typecheck before its tests", () => {
  const turbo = JSON.parse(readFileSync(join(PACKAGES_DIR, "..", "turbo.json"), "utf8")) as {
    tasks: Record<string, { dependsOn?: string[]; inputs?: string[] }>;
  };
  expect(turbo.tasks.test?.dependsOn).toContain("typecheck");
  expect(turbo.tasks.typecheck?.inputs).toEqual(expect.arrayContaining(["src/**", "test/**", "tsconfig*.json"]));
});

describe.each(packageDirs.map((dir) => [dir.slice(PACKAGES_DIR.length + 1), dir]))("package %s", (_name, dir) => {
  test(`has the script "typecheck": "${TYPECHECK_SCRIPT}"`, () => {
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { scripts?: Record<string, string> };
    expect(pkg.scripts?.typecheck).toBe(TYPECHECK_SCRIPT);
  });

  test("tsconfig.test.json covers every file in src and test, strictly and without output", () => {
    const parsed = readTestConfig(dir);
    expect(parsed.options.noEmit).toBe(true);
    expect(parsed.options.strict).toBe(true);
    expect(parsed.options.types).toEqual(expect.arrayContaining(["node", "jest"]));
    const covered = new Set(parsed.fileNames.map((f) => resolve(f)));
    const files = [...typeScriptFiles(join(dir, "src")), ...typeScriptFiles(join(dir, "test"))];
    expect(files.length).toBeGreaterThan(0);
    expect(files.filter((f) => !covered.has(resolve(f)))).toEqual([]);
  });
});

describe("the typecheck options reject a test with a type error", () => {
  const templateDir = join(PACKAGES_DIR, "template");

  test("a correct test file type-checks (jest and node types resolve)", () => {
    const errors = typeErrorsOf(
      templateDir,
      "typecheck-probe-ok.test.ts",
      'import { join } from "node:path";\ntest("probe", () => {\n  const x: number = 1;\n  expect(join("a", String(x))).toBe("a/1");\n});\n',
    );
    expect(errors.map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"))).toEqual([]);
  });

  test('`const x: number = "s"` in a test file is error TS2322', () => {
    const errors = typeErrorsOf(
      templateDir,
      "typecheck-probe-wrong.test.ts",
      'test("probe", () => {\n  const x: number = "s";\n  expect(x).toBe("s");\n});\n',
    );
    expect(errors.map((d) => [d.file?.fileName, d.code])).toEqual([
      [join(templateDir, "test", "typecheck-probe-wrong.test.ts"), 2322],
    ]);
  });
});
