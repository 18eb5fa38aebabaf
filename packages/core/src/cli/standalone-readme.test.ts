/**
 * A standalone project (`flyte-agent new --standalone`, `npm create flyte-agent`) gets a README
 * about itself: nothing of the flyte-agent repository's layout, and what it says about its files
 * and exports is what the project has.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const BIN = join(__dirname, "..", "..", "bin", "flyte-agent.js");
const TEMPLATE = join(__dirname, "..", "..", "..", "template");

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), "flyte-agent-standalone-"));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const create = (name: string, extra: string[]) =>
  new Promise<string>((resolve, reject) => {
    execFile(
      process.execPath,
      [BIN, "new", name, "--standalone", "--template", TEMPLATE, ...extra],
      { cwd: scratch },
      (err, _o, e) => (err ? reject(new Error(`${err.message}\n${e}`)) : resolve(join(scratch, name))),
    );
  });

describe.each([
  ["CommonJS", "team-jobs", [] as string[]],
  ["ES module", "team-jobs-esm", ["--esm"]],
])("the README of a standalone %s project", (_kind, name, extra) => {
  let dir: string;
  let readme: string;
  let pkg: { name: string; exports: Record<string, unknown>; scripts: Record<string, string> };
  beforeAll(async () => {
    dir = await create(name, extra);
    readme = readFileSync(join(dir, "README.md"), "utf8");
    pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  }, 30_000);

  test("is about the project, with no path or tool of the flyte-agent repository", () => {
    expect(readme).toMatch(new RegExp(`^# ${name}\\n`));
    for (const monorepo of ["../../", "pnpm", "turbo", "--filter", "packages/", "docs/plugin-shape.md", "template-only"]) {
      expect({ monorepo, found: readme.includes(monorepo) }).toEqual({ monorepo, found: false });
    }
  });

  test("every import it names is an export of package.json, and the other way round", () => {
    const named = [...readme.matchAll(new RegExp(`\`(${name}(?:/[a-z-]+)?)\``, "g"))].map((m) => m[1]);
    const exported = Object.keys(pkg.exports)
      .filter((k) => k !== "./package.json")
      .map((k) => (k === "." ? name : `${name}/${k.slice(2)}`));
    expect([...new Set(named)].sort()).toEqual(exported.sort());
    for (const sub of Object.keys(pkg.exports).filter((k) => k !== "." && k !== "./package.json")) {
      expect(existsSync(join(dir, "src", sub.slice(2), "index.ts"))).toBe(true);
    }
  });

  test("the files and npm scripts it names exist", () => {
    for (const [, file] of readme.matchAll(/`((?:src|test|examples)\/[\w./-]+)`/g)) {
      expect({ file, exists: existsSync(join(dir, file ?? "")) }).toEqual({ file, exists: true });
    }
    for (const [, file] of readme.matchAll(/run (examples\/[\w.-]+)/g)) expect(existsSync(join(dir, file ?? ""))).toBe(true);
    for (const [, script] of readme.matchAll(/npm run ([\w:-]+)/g)) expect(Object.keys(pkg.scripts)).toContain(script);
  });

  test("it names the service of the project's own manifests", () => {
    expect(readme).toContain("flyte-agent.flyte.svc");
    expect(readme).not.toContain("flyteagent.flyte");
  });
});
