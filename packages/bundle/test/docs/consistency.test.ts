/**
 * The docs against the things they describe: one service name for this project's own manifests
 * everywhere it is written or generated, the plugin scripts of docs/plugin-shape.md, the pnpm
 * scripts the READMEs name, and the usage docker/build.sh prints.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { codeBlocks, markdownFiles, ROOT } from "./markdown";

interface Manifest {
  name: string;
  scripts?: Record<string, string>;
  flyteAgent?: unknown;
}
const packages = readdirSync(join(ROOT, "packages")).map((dir) => ({
  dir,
  manifest: JSON.parse(readFileSync(join(ROOT, "packages", dir, "package.json"), "utf8")) as Manifest,
}));
const rootScripts = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as Manifest).scripts ?? {};
const CLI = join(ROOT, "packages", "core", "bin", "flyte-agent.js");

describe("one service name: flyte-agent in namespace flyte", () => {
  const EXPECTED = "flyte-agent.flyte";
  /** Every `<service>.<namespace>.svc` in a text. */
  const services = (text: string) => [...text.matchAll(/\b([a-z0-9-]+)\.([a-z0-9-]+)\.svc\b/g)].map((m) => `${m[1]}.${m[2]}`);

  test("the kustomize manifests define it", () => {
    const dir = join(ROOT, "deploy", "kubernetes");
    const kustomization = parseAllDocuments(readFileSync(join(dir, "kustomization.yaml"), "utf8"))[0]?.toJS();
    const service = parseAllDocuments(readFileSync(join(dir, "service.yaml"), "utf8"))
      .map((d) => d.toJS())
      .find((d) => d?.kind === "Service");
    expect(`${service?.metadata?.name}.${kustomization?.namespace}`).toBe(EXPECTED);
  });

  test("every README and doc names it (Helm docs, which use Flyte's chart's flyteconnector, aside)", () => {
    const named = markdownFiles()
      .filter((f) => !f.startsWith("deploy/helm/"))
      .flatMap((file) => services(readFileSync(join(ROOT, file), "utf8")).map((s) => ({ file, service: s })));
    expect(named.length).toBeGreaterThan(3);
    expect(named.filter((n) => n.service !== EXPECTED)).toEqual([]);
  });

  test("the manifests' comments, propeller-config and generated packages name it", () => {
    const yamlTexts = readdirSync(join(ROOT, "deploy", "kubernetes"), { recursive: true, encoding: "utf8" })
      .filter((f) => /\.ya?ml$/.test(f))
      .map((f) => readFileSync(join(ROOT, "deploy", "kubernetes", f), "utf8"));
    const { propellerConfig } = require("@flyte-agent/core/cli") as typeof import("@flyte-agent/core/cli");
    const scratch = mkdtempSync(join(tmpdir(), "docs-service-"));
    try {
      const template = join(ROOT, "packages", "template");
      execFileSync(
        process.execPath,
        [CLI, "new", "svc-a", "--template", template, "--dir", join(scratch, "a"), "--no-register"],
        {
          cwd: ROOT,
        },
      );
      execFileSync(process.execPath, [CLI, "new", "svc-b", "--standalone", "--template", template, "--dir", join(scratch, "b")], {
        cwd: scratch,
      });
      const generated = [join(scratch, "a", "README.md"), join(scratch, "b", "README.md")].map((f) => readFileSync(f, "utf8"));
      const all = [...yamlTexts, propellerConfig([]), propellerConfig([], { flyte: 2 }), ...generated].flatMap(services);
      expect(all.length).toBeGreaterThan(3);
      expect([...new Set(all)]).toEqual([EXPECTED]);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});

test("docs/plugin-shape.md's scripts are every plugin's scripts", () => {
  const doc = readFileSync(join(ROOT, "docs", "plugin-shape.md"), "utf8");
  const block = /## Scripts: identical in every plugin\n\n```json\n([\s\S]*?)```/.exec(doc)?.[1];
  expect(block).toBeDefined();
  const documented = (JSON.parse(`{${block ?? ""}}`) as { scripts: Record<string, string> }).scripts;
  const plugins = packages.filter((p) => p.manifest.flyteAgent !== undefined);
  expect(plugins.length).toBeGreaterThan(3);
  for (const p of plugins)
    expect({ plugin: p.manifest.name, scripts: p.manifest.scripts }).toEqual({ plugin: p.manifest.name, scripts: documented });
});

describe("the pnpm scripts the docs name exist", () => {
  const PNPM_COMMANDS = new Set([
    "install",
    "add",
    "exec",
    "dlx",
    "pack",
    "publish",
    "turbo",
    "run",
    "-r",
    "--filter",
    "changeset",
  ]);
  const shell = markdownFiles()
    .flatMap(codeBlocks)
    .filter((b) => ["sh", "bash", "shell"].includes(b.lang));
  const scriptsOf = (name: string) => packages.find((p) => p.manifest.name === name)?.manifest.scripts ?? {};

  test("pnpm <script> and pnpm run <script> name a script of the root package.json", () => {
    const named = shell.flatMap((b) =>
      [...b.body.matchAll(/(?:^|[;&|]\s*)pnpm (?:run )?([a-z][\w:-]*)/gm)].map((m) => ({
        at: `${b.file}:${b.line}`,
        script: m[1] ?? "",
      })),
    );
    expect(named.length).toBeGreaterThan(3);
    const missing = named.filter((n) => !PNPM_COMMANDS.has(n.script) && !(n.script in rootScripts));
    expect(missing).toEqual([]);
  });

  test("pnpm --filter <package> <script> and pnpm turbo run <task> --filter=<package> name a script of that package", () => {
    const named = shell.flatMap((b) => [
      ...[...b.body.matchAll(/pnpm --filter (@?[\w/-]+) ([a-z][\w:-]*)/g)].map((m) => ({
        at: `${b.file}:${b.line}`,
        pkg: m[1] ?? "",
        script: m[2] ?? "",
      })),
      ...[...b.body.matchAll(/pnpm turbo run ([a-z][\w:-]*) --filter=(@?[\w/-]+)/g)].map((m) => ({
        at: `${b.file}:${b.line}`,
        pkg: m[2] ?? "",
        script: m[1] ?? "",
      })),
    ]);
    expect(named.length).toBeGreaterThan(3);
    const known = named.filter((n) => packages.some((p) => p.manifest.name === n.pkg));
    expect(known.filter((n) => !(n.script in scriptsOf(n.pkg)))).toEqual([]);
  });
});

test("docker/build.sh --help prints its usage and every option it takes, no shell lines", () => {
  const script = join(ROOT, "docker", "build.sh");
  const r = spawnSync("bash", [script, "--help"], { encoding: "utf8" });
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/^Usage: docker\/build\.sh /);
  expect(r.stdout).not.toMatch(/^(#|set |ROOT=|[A-Z_]+=)/m);
  const handled = [...readFileSync(script, "utf8").matchAll(/^\s+((?:-[a-z-]+(?: \| )?)+)\)/gm)].flatMap((m) =>
    (m[1] ?? "").split(" | "),
  );
  expect(handled.length).toBeGreaterThan(4);
  for (const flag of handled) expect({ flag, inHelp: r.stdout.includes(flag) }).toEqual({ flag, inHelp: true });
});

describe("install instructions say what works today", () => {
  const blocks = markdownFiles().flatMap(codeBlocks);
  /** Commands that fetch @flyte-agent packages (or their initializer) from a registry. */
  const FROM_REGISTRY =
    /npm install [^\n]*@flyte-agent\/|pnpm add [^\n]*@flyte-agent\/|npx [^\n]*-p @flyte-agent\/|npm create flyte-agent/;

  test("a command that needs the packages on a registry is not run, and its file says they are not public yet", () => {
    const fetching = blocks.filter((b) => ["sh", "bash", "shell"].includes(b.lang) && FROM_REGISTRY.test(b.body));
    expect(fetching.length).toBeGreaterThan(3);
    for (const b of fetching) {
      const text = readFileSync(join(ROOT, b.file), "utf8");
      expect({
        at: `${b.file}:${b.line}`,
        notRun: /^not-run:/.test(b.comment ?? ""),
        saysSo: /not on the public npm registry|until the packages are on the public npm registry/i.test(text),
      }).toEqual({
        at: `${b.file}:${b.line}`,
        notRun: true,
        saysSo: true,
      });
    }
  });

  test("the CLI is run with npx, which needs no global pnpm", () => {
    const pnpmExec = blocks.filter((b) => /pnpm exec flyte-agent/.test(b.body)).map((b) => `${b.file}:${b.line}`);
    expect(pnpmExec).toEqual([]);
  });

  test("the snowflake README does not contradict itself on Flyte 2 connection secrets", () => {
    const text = readFileSync(join(ROOT, "packages", "snowflake", "README.md"), "utf8");
    expect(text).toContain("snowflake_private_key");
    expect(text).not.toMatch(/connection secrets are read once\s+core passes them/);
  });
});
