import { readFileSync } from "node:fs";
import { join } from "node:path";

/** The version of this copy of @flyte-agent/core (from its package.json). */
export const CORE_VERSION: string = (
  JSON.parse(readFileSync(join(__dirname, "..", "package.json"), "utf8")) as { version: string }
).version;

/** The major version number of a semver string ("0.3.1" -> 0). */
export function majorOf(version: string): number {
  return Number.parseInt(version.split(".")[0] ?? "", 10);
}
