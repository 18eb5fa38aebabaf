import { readFileSync } from "node:fs";
import { join } from "node:path";

const manifest = JSON.parse(readFileSync(join(__dirname, "..", "package.json"), "utf8")) as { name: string; version: string };

/** Name of this package, read from its package.json. */
export const PLUGIN_NAME: string = manifest.name;
/** Version of this package, read from its package.json (one place to change it). */
export const SAGEMAKER_PLUGIN_VERSION: string = manifest.version;
