import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeStandalone, makeWorkspaceEsm, standalonePackageJson, withJsExtensions } from "./standalone";

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

describe("standalonePackageJson", () => {
  it("depends on the published core and test kit with caret ranges, core as a peer", () => {
    const pkg = standalonePackageJson({ packageName: "team-jobs", description: "d", esm: false, coreVersion: "1.4.2" });
    expect(pkg.peerDependencies).toEqual({ "@flyte-agent/core": "^1.4.2" });
    expect(pkg.devDependencies).toMatchObject({ "@flyte-agent/core": "^1.4.2", "@flyte-agent/testing": "^1.4.2" });
    expect(JSON.stringify(pkg)).not.toContain("workspace:");
    expect(pkg.devDependencies).toMatchObject({ "team-jobs": "file:." });
    expect(pkg.type).toBe("commonjs");
    expect(pkg.flyteAgent).toEqual({ plugin: "./dist/index.js" });
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
    expect(readFileSync(join(dir, "tsconfig.json"), "utf8")).toContain('"NodeNext"');
    expect(readFileSync(join(dir, "tsconfig.json"), "utf8")).not.toContain("../");
  });

  it("an ES module package in the workspace keeps a CommonJS jest config", () => {
    makeWorkspaceEsm(dir);
    expect(JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).type).toBe("module");
    expect(readFileSync(join(dir, "jest.config.cjs"), "utf8")).toContain('require("../../jest.preset.js")');
    expect(() => readFileSync(join(dir, "jest.config.js"))).toThrow();
  });
});
