import { readFileSync } from "node:fs";
import { join } from "node:path";

const pkg = JSON.parse(readFileSync(join(__dirname, "..", "package.json"), "utf8")) as { name: string; version: string };

/** This package's name, read from its package.json (the plugin's display name). */
export const PLUGIN_NAME: string = pkg.name;
/** This package's version, read from its package.json (one place to change it). */
export const PLUGIN_VERSION: string = pkg.version;
