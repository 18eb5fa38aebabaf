// Where things are, and how bench code reaches the workspace's packages (pnpm keeps their
// dependencies private, so grpc-js is resolved from @flyte-agent/core's own node_modules).
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const BENCH_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const REPO_ROOT = resolve(BENCH_DIR, "..");
export const CORE_DIR = join(REPO_ROOT, "packages", "core");
export const CLI = join(CORE_DIR, "bin", "flyte-agent.js");

const coreRequire = createRequire(join(CORE_DIR, "package.json"));

/** @grpc/grpc-js as @flyte-agent/core uses it. */
export const grpc = coreRequire("@grpc/grpc-js");

/** The built @flyte-agent/core (run `pnpm build` first). */
export function loadCore() {
  try {
    return coreRequire(join(CORE_DIR, "dist", "index.js"));
  } catch (err) {
    throw new Error(`@flyte-agent/core is not built (${err.message.split("\n")[0]}); run \`pnpm build\` first`);
  }
}
