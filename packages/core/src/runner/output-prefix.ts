import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { core } from "@flyte-agent/flyteidl";

/** A fresh local directory to use as output_prefix. */
export function makeLocalOutputPrefix(): string {
  return mkdtempSync(join(tmpdir(), "flyte-agent-run-"));
}

function localPath(prefix: string): string | undefined {
  if (prefix.startsWith("file://")) return fileURLToPath(prefix);
  if (prefix === "" || /^[a-z][a-z0-9+.-]*:\/\//i.test(prefix)) return undefined;
  return prefix;
}

/**
 * Reads `<prefix>/outputs.pb` (a LiteralMap, where propeller expects a job that returns no
 * inline outputs to have written them) when the prefix is a local path and the file exists.
 */
export function readLocalOutputs(prefix: string): core.LiteralMap | undefined {
  const dir = localPath(prefix);
  if (!dir) return undefined;
  const file = join(dir, "outputs.pb");
  if (!existsSync(file)) return undefined;
  return core.LiteralMap.decode(readFileSync(file));
}
