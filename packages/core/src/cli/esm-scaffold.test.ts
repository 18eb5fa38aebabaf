import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { convertPackageToEsm, withJsExtensions, withoutDirname } from "./esm-scaffold";

describe("withJsExtensions", () => {
  it("adds .js to relative specifiers and index.js to directories, leaving packages and .js alone", () => {
    const source = [
      'import { a } from "./agent";',
      'export * from "../lib";',
      'import x from "./x.js";',
      'import { y } from "@flyte-agent/core";',
      'const m = await import("./late");',
    ].join("\n");
    expect(withJsExtensions(source, (spec) => spec === "../lib")).toBe(
      [
        'import { a } from "./agent.js";',
        'export * from "../lib/index.js";',
        'import x from "./x.js";',
        'import { y } from "@flyte-agent/core";',
        'const m = await import("./late.js");',
      ].join("\n"),
    );
  });
});

describe("withoutDirname", () => {
  const doc = "/** The directory of this ES module, from its URL. */";
  const moduleDir = 'const moduleDir = fileURLToPath(new URL(".", import.meta.url));';

  it("computes moduleDir from import.meta.url and imports fileURLToPath after the node: modules before node:url", () => {
    const source = [
      'import { readFileSync } from "node:fs";',
      'import { join } from "node:path";',
      "",
      'const pkg = readFileSync(join(__dirname, "..", "package.json"), "utf8");',
    ].join("\n");
    expect(withoutDirname(source)).toBe(
      [
        'import { readFileSync } from "node:fs";',
        'import { join } from "node:path";',
        'import { fileURLToPath } from "node:url";',
        "",
        doc,
        moduleDir,
        "",
        'const pkg = readFileSync(join(moduleDir, "..", "package.json"), "utf8");',
      ].join("\n"),
    );
  });

  it("puts the import before the first module sorting after node:url, the constant after a multi-line import", () => {
    const source = [
      'import { join } from "node:path";',
      'import { x } from "@flyte-agent/core";',
      "import {",
      "  y,",
      '} from "@flyte-agent/testing";',
      "",
      "const a = __dirname, b = __dirname;",
    ].join("\n");
    expect(withoutDirname(source)).toBe(
      [
        'import { join } from "node:path";',
        'import { fileURLToPath } from "node:url";',
        'import { x } from "@flyte-agent/core";',
        "import {",
        "  y,",
        '} from "@flyte-agent/testing";',
        "",
        doc,
        moduleDir,
        "",
        "const a = moduleDir, b = moduleDir;",
      ].join("\n"),
    );
  });

  it("does not import fileURLToPath twice", () => {
    const source = ['import { fileURLToPath } from "node:url";', "", "const d = __dirname;"].join("\n");
    const out = withoutDirname(source);
    expect(out.match(/import \{ fileURLToPath \}/g)).toHaveLength(1);
    expect(out).toContain("const d = moduleDir;");
  });

  it("leaves source without __dirname unchanged", () => {
    expect(withoutDirname('import { a } from "./a.js";\n')).toBe('import { a } from "./a.js";\n');
  });
});

describe("convertPackageToEsm", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "esm-scaffold-"));
    mkdirSync(join(dir, "src"));
    mkdirSync(join(dir, "test"));
    writeFileSync(join(dir, "src", "index.ts"), 'export { A } from "./agent";\n');
    writeFileSync(
      join(dir, "test", "a.test.ts"),
      'import { join } from "node:path";\nimport plugin from "../src";\nconst d = join(__dirname, "..");\n',
    );
    writeFileSync(join(dir, "jest.config.js"), 'module.exports = require("../../jest.preset.js");\n');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("rewrites src/ and test/ and writes an ES module jest config that stands alone", () => {
    convertPackageToEsm(dir, { workspacePreset: false });
    expect(readFileSync(join(dir, "src", "index.ts"), "utf8")).toContain('from "./agent.js"');
    const test = readFileSync(join(dir, "test", "a.test.ts"), "utf8");
    expect(test).toContain('import plugin from "../src/index.js";');
    expect(test).toContain('const d = join(moduleDir, "..");');
    expect(test).toContain('const moduleDir = fileURLToPath(new URL(".", import.meta.url));');
    const jest = readFileSync(join(dir, "jest.config.js"), "utf8");
    expect(jest).toMatch(/^export default \{/m);
    expect(jest).toContain("useESM: true");
    expect(jest).toContain('extensionsToTreatAsEsm: [".ts"]');
    expect(jest).not.toContain("require(");
  });
});
