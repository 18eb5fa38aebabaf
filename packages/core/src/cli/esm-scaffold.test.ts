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
  it("uses import.meta.url and imports fileURLToPath after the node: modules sorting before node:url", () => {
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
        'const pkg = readFileSync(join(fileURLToPath(new URL(".", import.meta.url)), "..", "package.json"), "utf8");',
      ].join("\n"),
    );
  });

  it("puts the import before the first module that sorts after node:url, once", () => {
    const source = [
      'import { join } from "node:path";',
      'import { x } from "@flyte-agent/core";',
      "const a = __dirname, b = __dirname;",
    ].join("\n");
    const out = withoutDirname(source);
    expect(out.split("\n").slice(0, 3)).toEqual([
      'import { join } from "node:path";',
      'import { fileURLToPath } from "node:url";',
      'import { x } from "@flyte-agent/core";',
    ]);
    expect(out).not.toContain("__dirname");
    expect(out.match(/import\.meta\.url/g)).toHaveLength(2);
    expect(withoutDirname(out)).toBe(out);
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
    expect(test).toContain('join(fileURLToPath(new URL(".", import.meta.url)), "..")');
    const jest = readFileSync(join(dir, "jest.config.js"), "utf8");
    expect(jest).toMatch(/^export default \{/m);
    expect(jest).toContain("useESM: true");
    expect(jest).toContain('extensionsToTreatAsEsm: [".ts"]');
    expect(jest).not.toContain("require(");
  });
});
