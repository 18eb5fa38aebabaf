import { readFileSync } from "node:fs";
import { join } from "node:path";

/** Version of this package, read from its package.json (one place to change it). */
export const DATABRICKS_PLUGIN_VERSION: string = (
  JSON.parse(readFileSync(join(__dirname, "..", "package.json"), "utf8")) as { version: string }
).version;
