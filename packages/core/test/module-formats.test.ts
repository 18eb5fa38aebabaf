/**
 * Discovery loads plugin entries with a native `import()`: a CommonJS plugin, an ES-module plugin
 * and an ES-module plugin with top-level await all load. This runs the built CLI in a child
 * process, because the jest preset compiles `import()` to `require()` (see discovery.ts), and
 * `require()` cannot load a module with top-level await on any Node version.
 */
import { execFile } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { PluginListing } from "../src/cli/list";

const CORE_DIR = resolve(__dirname, "..");
const FIXTURES = join(__dirname, "fixtures", "module-formats");
const PLUGINS = ["cjs-format-plugin", "esm-format-plugin", "esm-tla-plugin"];

let project: string;
beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), "flyte-agent-module-formats-"));
  const nodeModules = join(project, "node_modules");
  mkdirSync(join(nodeModules, "@flyte-agent"), { recursive: true });
  // The plugins import @flyte-agent/core, as an installed plugin would.
  symlinkSync(CORE_DIR, join(nodeModules, "@flyte-agent", "core"), "dir");
  for (const [dir, name] of [
    ["cjs-plugin", "cjs-format-plugin"],
    ["esm-plugin", "esm-format-plugin"],
    ["esm-tla-plugin", "esm-tla-plugin"],
  ] as const) {
    cpSync(join(FIXTURES, dir), join(nodeModules, name), { recursive: true });
  }
});
afterAll(() => rmSync(project, { recursive: true, force: true }));

function listJson(): Promise<{ code: number; listing: PluginListing; stderr: string }> {
  return new Promise((done, fail) => {
    execFile(
      process.execPath,
      [join(CORE_DIR, "bin", "flyte-agent.js"), "list", "--json", "--include", ...PLUGINS],
      { cwd: project, env: { ...process.env, FLYTE_AGENT_MODULES: "", FLYTE_AGENT_EXCLUDE: "" } },
      (err, stdout, stderr) => {
        const code = err ? Number((err as { code?: unknown }).code ?? 1) : 0;
        try {
          done({ code, listing: JSON.parse(stdout) as PluginListing, stderr });
        } catch {
          fail(new Error(`flyte-agent list printed no JSON (exit ${code}): ${stdout}${stderr}`));
        }
      },
    );
  });
}

describe("plugin module formats", () => {
  let result: Awaited<ReturnType<typeof listJson>>;
  beforeAll(async () => {
    result = await listJson();
  });

  test.each([
    ["a CommonJS plugin", "cjs-format-plugin", "CJS Agent", "cjs_format"],
    ["an ES-module plugin", "esm-format-plugin", "ESM Agent", "esm_format"],
    ["an ES-module plugin with top-level await", "esm-tla-plugin", "TLA Agent", "esm_tla"],
  ])("loads %s", (_what, pkg, agent, category) => {
    const plugin = result.listing.plugins.find((p) => p.package === pkg);
    expect(plugin).toMatchObject({ ok: true, version: "1.0.0" });
    expect(plugin?.agents).toEqual([{ name: agent, category: { name: category, version: 0 }, mode: "sync" }]);
  });

  test("lists exactly the three and exits 0", () => {
    expect(result.listing.plugins.map((p) => p.package).sort()).toEqual([...PLUGINS].sort());
    expect(result.code).toBe(0);
  });
});
