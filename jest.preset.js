/**
 * Shared jest settings for every package: TypeScript through ts-jest (transpile only), tests in
 * src/ next to the code or in test/. Types are checked by each package's `typecheck` script
 * (`tsc -p tsconfig.test.json`, src and test), which turbo runs before every `test`.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/src", "<rootDir>/test"].filter((p) => require("node:fs").existsSync(p.replace("<rootDir>", process.cwd()))),
  testMatch: ["**/*.test.ts"],
  transform: {
    "^.+\\.ts$": [
      "ts-jest",
      { tsconfig: { isolatedModules: true, module: "commonjs", target: "ES2022", esModuleInterop: true, sourceMap: true } },
    ],
  },
  testTimeout: 30000,
};
