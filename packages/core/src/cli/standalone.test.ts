import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeStandalone, makeWorkspaceEsm, standalonePackageJson } from "./standalone";

describe("standalonePackageJson", () => {
  it("depends on the published core and test kit with caret ranges, core as a peer", () => {
    const pkg = standalonePackageJson({ packageName: "team-jobs", description: "d", esm: false, coreVersion: "1.4.2" });
    expect(pkg.peerDependencies).toEqual({ "@flyte-agent/core": "^1.4.2" });
    expect(pkg.devDependencies).toMatchObject({ "@flyte-agent/core": "^1.4.2", "@flyte-agent/testing": "^1.4.2" });
    expect(JSON.stringify(pkg)).not.toContain("workspace:");
    expect(pkg.devDependencies).toMatchObject({ "team-jobs": "file:." });
    expect(pkg.type).toBe("commonjs");
    expect(pkg.flyteAgent).toEqual({ plugin: "./dist/index.js" });
    expect(pkg.exports).toEqual({
      ".": {
        import: { types: "./dist/index.d.mts", default: "./dist/index.mjs" },
        require: { types: "./dist/index.d.ts", default: "./dist/index.js" },
      },
      "./testing": {
        import: { types: "./dist/testing/index.d.mts", default: "./dist/testing/index.mjs" },
        require: { types: "./dist/testing/index.d.ts", default: "./dist/testing/index.js" },
      },
      "./package.json": "./package.json",
    });
  });

  it("an ES module project has one build for every importer", () => {
    const pkg = standalonePackageJson({ packageName: "team-jobs", description: "d", esm: true, coreVersion: "1.4.2" });
    expect(pkg.exports).toEqual({
      ".": { types: "./dist/index.d.ts", default: "./dist/index.js" },
      "./testing": { types: "./dist/testing/index.d.ts", default: "./dist/testing/index.js" },
      "./package.json": "./package.json",
    });
  });
});

describe("makeStandalone / makeWorkspaceEsm", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "standalone-"));
    mkdirSync(join(dir, "src"));
    writeFileSync(join(dir, "src", "index.ts"), 'export { A } from "./agent";\n');
    writeFileSync(join(dir, "package.json"), '{"name":"x","version":"0.1.0"}');
    writeFileSync(join(dir, "jest.config.js"), 'module.exports = require("../../jest.preset.js");\n');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("an ES module project refers to no workspace and imports with .js", () => {
    makeStandalone(dir, { packageName: "team-jobs", description: "d", esm: true, coreVersion: "0.1.0" });
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    expect(pkg.type).toBe("module");
    expect(readFileSync(join(dir, "src", "index.ts"), "utf8")).toContain('from "./agent.js"');
    expect(readFileSync(join(dir, "jest.config.js"), "utf8")).toMatch(/^export default/m);
    expect(readFileSync(join(dir, "jest.config.js"), "utf8")).toContain("useESM: true");
    expect(readFileSync(join(dir, "jest.config.js"), "utf8")).not.toContain("../");
    expect(readFileSync(join(dir, "tsconfig.json"), "utf8")).toContain('"NodeNext"');
    expect(readFileSync(join(dir, "tsconfig.json"), "utf8")).not.toContain("../");
  });

  it("an ES module package in the workspace runs its tests as ES modules on the workspace preset", () => {
    writeFileSync(join(dir, "src", "index.mts"), 'export * from "./index.js";\n');
    writeFileSync(
      join(dir, "package.json"),
      JSON.stringify({
        name: "x",
        exports: {
          ".": {
            import: { types: "./dist/index.d.mts", default: "./dist/index.mjs" },
            require: { types: "./dist/index.d.ts", default: "./dist/index.js" },
          },
          "./package.json": "./package.json",
        },
      }),
    );
    makeWorkspaceEsm(dir);
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    expect(pkg.type).toBe("module");
    expect(pkg.exports).toEqual({
      ".": { types: "./dist/index.d.ts", default: "./dist/index.js" },
      "./package.json": "./package.json",
    });
    expect(existsSync(join(dir, "src", "index.mts"))).toBe(false);
    const jest = readFileSync(join(dir, "jest.config.js"), "utf8");
    expect(jest).toContain('import preset from "../../jest.preset.js"');
    expect(jest).toContain("useESM: true");
    expect(jest).toMatch(/^export default/m);
  });

  it("a CommonJS standalone project keeps CommonJS sources and jest config", () => {
    makeStandalone(dir, { packageName: "team-jobs", description: "d", esm: false, coreVersion: "0.1.0" });
    expect(readFileSync(join(dir, "src", "index.ts"), "utf8")).toContain('from "./agent"');
    expect(readFileSync(join(dir, "jest.config.js"), "utf8")).toMatch(/^module\.exports = \{/m);
    expect(readFileSync(join(dir, "jest.config.js"), "utf8")).not.toContain("useESM");
  });
});
