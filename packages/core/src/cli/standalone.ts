import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CORE_VERSION } from "../version";
import { convertPackageToEsm, esmOnlyExports } from "./esm-scaffold";

/** How `flyte-agent new` lays out a plugin project that lives outside this workspace. */
export interface StandaloneOptions {
  /** npm package name of the new plugin. */
  readonly packageName: string;
  /** Short description for package.json. */
  readonly description: string;
  /** Write an ES module package (`"type": "module"`, NodeNext, `.js` import specifiers). */
  readonly esm: boolean;
  /** Version of @flyte-agent/core (and of the test kit, released with it) to depend on. */
  readonly coreVersion?: string;
}

/** Versions of the tools a standalone plugin builds and tests with. */
const TOOL_VERSIONS = {
  "@types/jest": "^30.0.0",
  "@types/node": "^22.19.0",
  jest: "^30.2.0",
  "ts-jest": "^29.4.5",
  typescript: "~5.9.3",
} as const;

function writeJson(path: string, value: unknown): void {
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}

/**
 * The package.json of a standalone plugin: published core and test kit with caret ranges
 * (core as a peer, so that the server's own core is the one the plugin uses), itself as a
 * `file:.` dev dependency (so the CLI run in the project discovers it), and only npm needed to
 * build and test it.
 */
export function standalonePackageJson(options: StandaloneOptions): Record<string, unknown> {
  const range = `^${options.coreVersion ?? CORE_VERSION}`;
  return {
    name: options.packageName,
    version: "0.1.0",
    description: options.description,
    license: "UNLICENSED",
    private: true,
    type: options.esm ? "module" : "commonjs",
    main: "dist/index.js",
    types: "dist/index.d.ts",
    // CommonJS: a dual package (the ES module entry src/index.mts re-exports the CommonJS
    // build; docs/plugin-shape.md). ES module: that one build for every importer.
    exports: options.esm
      ? {
          ".": { types: "./dist/index.d.ts", default: "./dist/index.js" },
          "./testing": { types: "./dist/testing/index.d.ts", default: "./dist/testing/index.js" },
          "./package.json": "./package.json",
        }
      : {
          ".": {
            import: { types: "./dist/index.d.mts", default: "./dist/index.mjs" },
            require: { types: "./dist/index.d.ts", default: "./dist/index.js" },
          },
          "./testing": {
            import: { types: "./dist/testing/index.d.mts", default: "./dist/testing/index.mjs" },
            require: { types: "./dist/testing/index.d.ts", default: "./dist/testing/index.js" },
          },
          "./package.json": "./package.json",
        },
    files: ["dist", "README.md"],
    keywords: ["flyte", "flyte-agent-plugin"],
    flyteAgent: { plugin: "./dist/index.js" },
    engines: { node: ">=22" },
    scripts: {
      build: `node -e "require('node:fs').rmSync('dist',{recursive:true,force:true})" && tsc -p tsconfig.build.json`,
      // Plugins are loaded with import(), which jest supports only with VM modules.
      test: 'npm run build && NODE_OPTIONS="--experimental-vm-modules --disable-warning=ExperimentalWarning" jest',
      prepack: "npm run build",
    },
    peerDependencies: { "@flyte-agent/core": range },
    devDependencies: {
      "@flyte-agent/core": range,
      "@flyte-agent/testing": range,
      // The project linked into its own node_modules, so that `flyte-agent run` and `serve` in
      // it find the plugin as an installed package (discovery looks in node_modules only).
      [options.packageName]: "file:.",
      ...TOOL_VERSIONS,
    },
  };
}

/** tsconfig.json of a standalone plugin (no workspace base config to extend). */
export function standaloneTsconfig(esm: boolean): Record<string, unknown> {
  return {
    compilerOptions: {
      target: "ES2022",
      module: esm ? "NodeNext" : "Node16",
      moduleResolution: esm ? "NodeNext" : "Node16",
      lib: ["ES2022"],
      types: ["node"],
      strict: true,
      noUncheckedIndexedAccess: true,
      esModuleInterop: true,
      skipLibCheck: true,
      declaration: true,
      sourceMap: true,
      isolatedModules: true,
      rootDir: "src",
      outDir: "dist",
    },
    include: ["src"],
  };
}

/** jest.config.js of a standalone CommonJS plugin: ts-jest, tests in test/. */
export function standaloneJestConfig(): string {
  return `/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: {
    "^.+\\\\.ts$": ["ts-jest", { tsconfig: { isolatedModules: true, module: "commonjs", target: "ES2022", esModuleInterop: true } }],
  },
  testTimeout: 30000,
};
`;
}

/**
 * Turns a plugin copied from the template into a project of its own: its package.json,
 * tsconfig and jest config no longer refer to a workspace, and with `esm` the sources are an ES
 * module package. Returns the files it wrote.
 */
export function makeStandalone(target: string, options: StandaloneOptions): string[] {
  const written: string[] = [];
  const put = (name: string, write: (path: string) => void) => {
    const path = join(target, name);
    write(path);
    written.push(path);
  };
  put("package.json", (p) => writeJson(p, standalonePackageJson(options)));
  put("tsconfig.json", (p) => writeJson(p, standaloneTsconfig(options.esm)));
  put("tsconfig.build.json", (p) => writeJson(p, { extends: "./tsconfig.json", exclude: ["src/**/*.test.ts"] }));
  put(".gitignore", (p) => writeFileSync(p, "node_modules/\ndist/\n*.tgz\n"));
  if (options.esm) {
    written.push(...convertPackageToEsm(target, { workspacePreset: false }));
  } else {
    rmSync(join(target, "jest.config.js"), { force: true });
    put("jest.config.js", (p) => writeFileSync(p, standaloneJestConfig()));
  }
  return written;
}

/**
 * Makes a plugin package inside this workspace an ES module package: `"type": "module"`, one
 * build in `exports` (no ES module entries beside a CommonJS build), and src/, test/ and the jest
 * config rewritten by {@link convertPackageToEsm} (tests run as ES
 * modules, extending the workspace's jest preset). Returns the files it wrote.
 */
export function makeWorkspaceEsm(target: string): string[] {
  const pkgPath = join(target, "package.json");
  const pkg = JSON.parse(readFileSync(pkgPath, "utf8")) as Record<string, unknown>;
  const exports = pkg.exports as Record<string, unknown> | undefined;
  writeJson(pkgPath, { ...pkg, type: "module", ...(exports ? { exports: esmOnlyExports(exports) } : {}) });
  return [pkgPath, ...convertPackageToEsm(target, { workspacePreset: true })];
}
