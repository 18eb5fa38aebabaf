// The runtime settings the agent image gives Node (docker/Dockerfile's ENV NODE_OPTIONS and
// MALLOC_ARENA_MAX), read from the Dockerfile itself so the bench's full server runs as the
// image runs it. BENCH_CLI_DEFAULTS=1 runs it with Node's defaults instead.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "./repo.mjs";

/** Names of the ENV settings of the image that change how Node itself runs. */
const RUNTIME_SETTINGS = ["NODE_OPTIONS", "MALLOC_ARENA_MAX"];

/**
 * `{ NODE_OPTIONS: "...", MALLOC_ARENA_MAX: "..." }` as docker/Dockerfile sets them (empty when
 * BENCH_CLI_DEFAULTS=1). Throws when the Dockerfile cannot be read, so the bench never silently
 * measures something other than what it says.
 */
export function imageRuntimeSettings(env = process.env) {
  if (env.BENCH_CLI_DEFAULTS === "1") return {};
  const dockerfile = readFileSync(join(REPO_ROOT, "docker", "Dockerfile"), "utf8");
  // ENV lines continue with a trailing backslash; join them first.
  const text = dockerfile.replace(/\\\r?\n\s*/g, " ");
  const settings = {};
  for (const line of text.split("\n")) {
    if (!/^\s*ENV\s/.test(line)) continue;
    for (const m of line.matchAll(/([A-Z_][A-Z0-9_]*)=("[^"]*"|\S+)/g)) {
      if (RUNTIME_SETTINGS.includes(m[1])) settings[m[1]] = m[2].replace(/^"(.*)"$/, "$1");
    }
  }
  return settings;
}

/** The settings as one line for the report ("NODE_OPTIONS=... MALLOC_ARENA_MAX=..." or "Node defaults"). */
export function describeSettings(settings) {
  const pairs = Object.entries(settings).map(([k, v]) => `${k}=${v}`);
  return pairs.length > 0 ? `the image's ${pairs.join(" ")}` : "Node's defaults (BENCH_CLI_DEFAULTS=1)";
}
