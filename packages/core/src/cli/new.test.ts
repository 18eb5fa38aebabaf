import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const BIN = join(__dirname, "..", "..", "bin", "flyte-agent.js");
const TEMPLATE = join(__dirname, "..", "..", "..", "template");

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

let scratch: string;
let target: string;
let stdout: string;

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), "flyte-agent-new-"));
  target = join(scratch, "demo-sys");
  stdout = await new Promise<string>((resolve, reject) => {
    execFile(
      process.execPath,
      [BIN, "new", "demo-sys", "--template", TEMPLATE, "--dir", target, "--no-register"],
      { cwd: scratch },
      (err, out, errText) => (err ? reject(new Error(`${err.message}\n${errText}`)) : resolve(out)),
    );
  });
}, 30_000);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const read = (path: string) => readFileSync(join(target, path), "utf8");

describe("flyte-agent new", () => {
  test("creates the plugin shape: index, agent, types, version, ./testing, an example, tests", () => {
    for (const file of [
      "src/index.ts",
      "src/agent.ts",
      "src/types.ts",
      "src/version.ts",
      "src/testing/index.ts",
      "examples/demo-sys-task.yaml",
      "test/conformance.test.ts",
      "test/example-template.test.ts",
      "tsconfig.test.json",
    ]) {
      expect(existsSync(join(target, file))).toBe(true);
    }
    const pkg = JSON.parse(read("package.json"));
    const template = JSON.parse(readFileSync(join(TEMPLATE, "package.json"), "utf8"));
    expect(pkg.name).toBe("@flyte-agent/demo-sys");
    expect(pkg.scripts).toEqual(template.scripts);
    expect(Object.keys(pkg.exports)).toEqual(expect.arrayContaining([".", "./testing"]));
    // A dual package, like the template: an ES module entry beside the CommonJS build.
    expect(pkg.exports["."]).toEqual(template.exports["."]);
    expect(pkg.exports["."].import.default).toBe("./dist/index.mjs");
    expect(existsSync(join(target, "src/index.mts"))).toBe(true);
    expect(existsSync(join(target, "src/testing/index.mts"))).toBe(true);
    expect(read("src/testing/index.ts")).toContain("export { demoSysTaskTemplate, demoSysSyncTaskTemplate }");
    expect(read("examples/demo-sys-task.yaml")).toMatch(/^type: demo_sys_task$/m);
    expect(stdout).toContain("pnpm turbo run test --filter=@flyte-agent/demo-sys");
  });

  test("the README is about the new plugin, not the template's fields", () => {
    const readme = read("README.md");
    expect(readme).toMatch(/^# @flyte-agent\/demo-sys\n/);
    expect(readme).toContain("`demo_sys_task`");
    expect(readme).toContain('"Demo Sys Agent"');
    expect(readme).toContain("examples/demo-sys-task.yaml");
    expect(readme).toContain("pnpm turbo run test --filter=@flyte-agent/demo-sys");
    expect(readme).not.toMatch(/durationSeconds|custom-agent template: the smallest|\bfail: true/);
  });

  test("no name of the template is left in any file", () => {
    const leftovers = filesUnder(target).filter((file) =>
      /custom_task|custom_sync_task|CustomAsyncAgent|CustomSyncAgent|customTaskTemplate|custom-task|@flyte-agent\/template/.test(
        readFileSync(file, "utf8"),
      ),
    );
    expect(leftovers).toEqual([]);
  });
});

describe("flyte-agent new --esm", () => {
  let esmTarget: string;
  beforeAll(async () => {
    esmTarget = join(scratch, "demo-esm");
    await new Promise<void>((resolve, reject) => {
      execFile(
        process.execPath,
        [BIN, "new", "demo-esm", "--esm", "--template", TEMPLATE, "--dir", esmTarget, "--no-register"],
        { cwd: scratch },
        (err, _out, errText) => (err ? reject(new Error(`${err.message}\n${errText}`)) : resolve()),
      );
    });
  }, 30_000);
  const readEsm = (path: string) => readFileSync(join(esmTarget, path), "utf8");
  const sources = () => filesUnder(esmTarget).filter((f) => /\/(src|test)\/.*\.ts$/.test(f));

  test('is "type": "module", with the template\'s scripts and exports', () => {
    const pkg = JSON.parse(readEsm("package.json"));
    const template = JSON.parse(readFileSync(join(TEMPLATE, "package.json"), "utf8"));
    expect(pkg.type).toBe("module");
    expect(pkg.scripts).toEqual(template.scripts);
    expect(pkg.scripts.test).toContain("--experimental-vm-modules");
    expect(pkg.flyteAgent).toEqual(template.flyteAgent);
  });

  test("is ES modules only: one build per export, no ES module entries beside it", () => {
    const pkg = JSON.parse(readEsm("package.json"));
    expect(pkg.exports["."]).toEqual({ types: "./dist/index.d.ts", default: "./dist/index.js" });
    expect(pkg.exports["./testing"]).toEqual({ types: "./dist/testing/index.d.ts", default: "./dist/testing/index.js" });
    expect(filesUnder(esmTarget).filter((f) => f.endsWith(".mts"))).toEqual([]);
  });

  test("no source or test uses __dirname or require, and every relative import names a .js file", () => {
    expect(sources().length).toBeGreaterThan(8);
    for (const file of sources()) {
      const text = readFileSync(file, "utf8");
      expect({ file, commonJs: /\b__dirname\b|\brequire\(/.test(text) }).toEqual({ file, commonJs: false });
      const relative = [...text.matchAll(/from\s+"(\.{1,2}\/?[^"]*)"/g)].map((m) => m[1]);
      expect({ file, unsuffixed: relative.filter((spec) => !spec?.endsWith(".js")) }).toEqual({ file, unsuffixed: [] });
    }
  });

  test("the version still comes from package.json, found through import.meta.url", () => {
    const version = readEsm("src/version.ts");
    expect(version).toContain('const moduleDir = fileURLToPath(new URL(".", import.meta.url));');
    expect(version).toContain('join(moduleDir, "..", "package.json")');
  });

  test("the tests run as ES modules on the workspace's jest preset", () => {
    expect(existsSync(join(esmTarget, "jest.config.cjs"))).toBe(false);
    const jest = readEsm("jest.config.js");
    expect(jest).toContain('import preset from "../../jest.preset.js";');
    expect(jest).toContain("useESM: true");
    expect(jest).toContain('extensionsToTreatAsEsm: [".ts"]');
  });
});
