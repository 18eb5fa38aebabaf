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
  // @flyteorg/flyteidl2 ships TypeScript sources only (protobuf-es `*_pb.ts`); tests that use it
  // as the foreign flyteidl2 implementation load it through ts-jest. Other node_modules files are
  // JavaScript and never reach the TypeScript transform.
  transformIgnorePatterns: ["/node_modules/(?!.*@flyteorg/flyteidl2/)"],
  testTimeout: 30000,
};
