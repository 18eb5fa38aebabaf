import { realpath, stat } from "node:fs/promises";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { BadPathError } from "./file-path";

/** The environment variable that turns local paths on, naming the directory they must lie under. */
export const LOCAL_ROOT_ENV = "FLYTE_SENSOR_LOCAL_ROOT";

function isInside(root: string, target: string): boolean {
  const rel = relative(root, target);
  return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !rel.startsWith(sep));
}

function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === "ENOENT" || code === "ENOTDIR";
}

/**
 * The real location of `path` (absolute): symlinks of its longest existing ancestor resolved,
 * the missing rest appended. A symlink that dangles is not followed further (it does not exist).
 */
async function realLocation(path: string): Promise<string> {
  let existing = resolve(path);
  const missing: string[] = [];
  for (;;) {
    try {
      return join(await realpath(existing), ...missing);
    } catch (err) {
      if (!isMissing(err)) throw err;
      const parent = dirname(existing);
      if (parent === existing) return join(existing, ...missing);
      missing.unshift(basename(existing));
      existing = parent;
    }
  }
}

/**
 * Checks that `path` lies under `root` once `..` and symlinks are resolved, and returns its real
 * location. Throws {@link BadPathError} naming the root when local paths are off (no root) or
 * the path escapes it.
 */
export async function confinedPath(root: string | undefined, path: string): Promise<string> {
  if (!root) {
    throw new BadPathError(
      `local paths are off on this agent: its operator can allow them under a directory with ${LOCAL_ROOT_ENV}`,
    );
  }
  const realRoot = await realLocation(root);
  const lexical = resolve(path);
  if (!isInside(resolve(root), lexical) && !isInside(realRoot, lexical)) {
    throw new BadPathError(`${path} is outside ${root}, the only directory this agent checks (${LOCAL_ROOT_ENV})`);
  }
  const real = await realLocation(lexical);
  if (!isInside(realRoot, real)) {
    throw new BadPathError(`${path} leads outside ${root} through a symbolic link; this agent checks only ${LOCAL_ROOT_ENV}`);
  }
  return real;
}

/** Whether the confined path exists (a file or a directory, as fsspec's local `exists`). */
export async function localExists(realPath: string): Promise<boolean> {
  try {
    await stat(realPath);
    return true;
  } catch (err) {
    if (!isMissing(err)) throw err;
    return false;
  }
}
