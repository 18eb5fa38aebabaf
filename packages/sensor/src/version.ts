import { readFileSync } from "node:fs";
import { join } from "node:path";

const pkg = JSON.parse(readFileSync(join(__dirname, "..", "package.json"), "utf8")) as { name: string; version: string };

/** Name of this package, read from its package.json. */
export const SENSOR_PLUGIN_NAME: string = pkg.name;
/** Version of this package, read from its package.json (one place to change it). */
export const SENSOR_PLUGIN_VERSION: string = pkg.version;
