import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

// docker/image-plugins.js, run as the Dockerfile runs it, on a node_modules laid out the way
// `pnpm deploy --config.node-linker=hoisted` lays out the bundle's: it must keep exactly the
// chosen plugins and what they need (nested copies included), and hand the rest to npm.
const SCRIPT = join(__dirname, "..", "..", "..", "docker", "image-plugins.js");
const BUNDLE_DIST = join(__dirname, "..", "dist", "index.js");

let app: string;
let tarballs: string;

/** Writes node_modules/<path>/package.json (and an index.js). */
function pkg(path: string, manifest: Record<string, unknown>, main = "module.exports = {};\n"): void {
  const dir = join(app, "node_modules", path);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "package.json"), JSON.stringify({ main: "index.js", ...manifest }));
  writeFileSync(join(dir, "index.js"), main);
}

function bin(name: string, target: string): void {
  mkdirSync(join(app, "node_modules", ".bin"), { recursive: true });
  symlinkSync(target, join(app, "node_modules", ".bin", name));
}

beforeEach(() => {
  const root = mkdtempSync(join(tmpdir(), "image-plugins-"));
  app = join(root, "opt");
  tarballs = join(app, "tarballs");
  mkdirSync(tarballs, { recursive: true });
  for (const name of ["flyteidl", "core", "bundle", "bigquery", "databricks", "template"]) {
    writeFileSync(join(tarballs, `flyte-agent-${name}-0.1.0.tgz`), "");
  }
  writeFileSync(join(tarballs, "team-jobs-0.1.0.tgz"), "");
  const peers = { "@flyte-agent/core": "^0.1.0" };
  pkg(
    "@flyte-agent/bundle",
    {
      name: "@flyte-agent/bundle",
      version: "0.1.0",
      dependencies: { "@flyte-agent/core": "^0.1.0" },
      peerDependencies: { "@flyte-agent/bigquery": "^0.1.0", "@flyte-agent/template": "^0.1.0" },
      peerDependenciesMeta: { "@flyte-agent/bigquery": { optional: true }, "@flyte-agent/template": { optional: true } },
    },
    `module.exports = require(${JSON.stringify(BUNDLE_DIST)});\n`,
  );
  pkg("@flyte-agent/core", {
    name: "@flyte-agent/core",
    version: "0.1.0",
    dependencies: { "@flyte-agent/flyteidl": "^0.1.0", shared: "^1" },
  });
  pkg("@flyte-agent/flyteidl", { name: "@flyte-agent/flyteidl", version: "0.1.0", dependencies: { "grpc-like": "^1" } });
  pkg("@flyte-agent/template", { name: "@flyte-agent/template", version: "0.1.0", peerDependencies: peers });
  pkg("@flyte-agent/databricks", {
    name: "@flyte-agent/databricks",
    version: "0.1.0",
    peerDependencies: peers,
    dependencies: { "http-like": "^1", shared: "^2" },
  });
  pkg("@flyte-agent/databricks/node_modules/shared", { name: "shared", version: "2.0.0" });
  pkg("@flyte-agent/bigquery", {
    name: "@flyte-agent/bigquery",
    version: "0.1.0",
    peerDependencies: peers,
    dependencies: { "cloud-sdk": "^3" },
  });
  pkg("cloud-sdk", { name: "cloud-sdk", version: "3.0.0", dependencies: { "http-like": "^1" } });
  pkg("http-like", { name: "http-like", version: "1.0.0" });
  pkg("shared", { name: "shared", version: "1.0.0", optionalDependencies: { "shared-native": "^1" } });
  pkg("shared-native", { name: "shared-native", version: "1.0.0" });
  pkg("grpc-like", { name: "grpc-like", version: "1.0.0" });
  bin("cloud", "../cloud-sdk/index.js");
  bin("grpc", "../grpc-like/index.js");
});
afterEach(() => rmSync(dirname(app), { recursive: true, force: true }));

function run(...plugins: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [SCRIPT, tarballs, ...plugins], { cwd: app }, (err, stdout, stderr) =>
      resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const present = (path: string) => existsSync(join(app, "node_modules", path, "package.json"));

describe("docker/image-plugins.js", () => {
  it("keeps the chosen bundled plugins and what they need, removes the others, prints the other plugins for npm", async () => {
    const team = join(tarballs, "team-jobs-0.1.0.tgz");
    const { code, stdout, stderr } = await run("databricks", team, "@acme/agent@1.2.3");
    expect({ code, stderr: code === 0 ? "" : stderr }).toEqual({ code: 0, stderr: "" });
    expect(stdout.trim().split("\n")).toEqual([team, "@acme/agent@1.2.3"]);

    const kept = {
      core: present("@flyte-agent/core"),
      flyteidl: present("@flyte-agent/flyteidl"),
      bundle: present("@flyte-agent/bundle"),
      databricks: present("@flyte-agent/databricks"),
      nestedShared2: present("@flyte-agent/databricks/node_modules/shared"),
      httpLike: present("http-like"),
      shared1: present("shared"),
      optionalOfShared: present("shared-native"),
      grpcLike: present("grpc-like"),
    };
    expect(kept).toEqual({
      core: true,
      flyteidl: true,
      bundle: true,
      databricks: true,
      nestedShared2: true,
      httpLike: true,
      shared1: true,
      optionalOfShared: true,
      grpcLike: true,
    });
    const removed = {
      template: present("@flyte-agent/template"),
      bigquery: present("@flyte-agent/bigquery"),
      cloudSdk: present("cloud-sdk"),
      cloudBin: existsSync(join(app, "node_modules", ".bin", "cloud")),
    };
    expect(removed).toEqual({ template: false, bigquery: false, cloudSdk: false, cloudBin: false });
    expect(existsSync(join(app, "node_modules", ".bin", "grpc"))).toBe(true);

    const manifest = JSON.parse(readFileSync(join(app, "package.json"), "utf8"));
    expect(manifest.dependencies).toEqual({
      "@flyte-agent/flyteidl": "file:tarballs/flyte-agent-flyteidl-0.1.0.tgz",
      "@flyte-agent/core": "file:tarballs/flyte-agent-core-0.1.0.tgz",
      "@flyte-agent/bundle": "file:tarballs/flyte-agent-bundle-0.1.0.tgz",
      "@flyte-agent/databricks": "file:tarballs/flyte-agent-databricks-0.1.0.tgz",
    });
  });

  it("prints nothing for npm when every plugin is bundled", async () => {
    const { code, stdout } = await run("template", "bigquery");
    expect({ code, stdout }).toEqual({ code: 0, stdout: "" });
    expect([present("@flyte-agent/template"), present("cloud-sdk"), present("@flyte-agent/databricks")]).toEqual([
      true,
      true,
      false,
    ]);
  });

  it("refuses an unknown plugin name with the bundle's message and changes nothing", async () => {
    const { code, stderr } = await run("template", "cassandra");
    expect(code).toBe(1);
    expect(stderr).toContain('plugin "cassandra" is not a bundled plugin');
    expect([present("@flyte-agent/bigquery"), existsSync(join(app, "package.json"))]).toEqual([true, false]);
  });
});
