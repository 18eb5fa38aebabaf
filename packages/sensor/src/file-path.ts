import { isAbsolute } from "node:path";
import { fileURLToPath } from "node:url";

/** Longest path accepted (S3 keys and GCS object names are at most 1024 bytes). */
export const MAX_PATH_LENGTH = 2048;

/** Where a FileSensor path points. */
export type FileLocation =
  | { readonly kind: "s3"; readonly bucket: string; readonly key: string }
  | { readonly kind: "gs"; readonly bucket: string; readonly key: string }
  | { readonly kind: "local"; readonly path: string };

/** A path the sensor cannot check, with what is wrong. */
export class BadPathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BadPathError";
  }
}

const S3_BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const GCS_BUCKET = /^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/;

function bucketAndKey(scheme: "s3" | "gs", rest: string, path: string): { bucket: string; key: string } {
  const slash = rest.indexOf("/");
  const bucket = slash === -1 ? rest : rest.slice(0, slash);
  const key = slash === -1 ? "" : rest.slice(slash + 1);
  const pattern = scheme === "s3" ? S3_BUCKET : GCS_BUCKET;
  if (!pattern.test(bucket))
    throw new BadPathError(
      `${JSON.stringify(path)}: "${bucket.slice(0, 80)}" is not ${scheme === "s3" ? "an S3" : "a Cloud Storage"} bucket name`,
    );
  if (Buffer.byteLength(key) > 1024)
    throw new BadPathError(`${JSON.stringify(path.slice(0, 80))}...: the object name is longer than 1024 bytes`);
  return { bucket, key };
}

/**
 * Reads a FileSensor path: `s3://bucket/key`, `s3a://` and `s3n://` (as fsspec reads them),
 * `gs://bucket/name` or `gcs://`, an absolute local path, or `file://`. Throws
 * {@link BadPathError} for anything else (relative paths, other schemes, bad bucket names).
 */
export function parseFilePath(path: string): FileLocation {
  if (path.length === 0) throw new BadPathError("the path is empty");
  if (path.length > MAX_PATH_LENGTH) throw new BadPathError(`the path is longer than ${MAX_PATH_LENGTH} characters`);
  if (path.includes("\0")) throw new BadPathError("the path contains a NUL character");
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(path)?.[1]?.toLowerCase();
  const rest = path.slice((scheme?.length ?? 0) + 3);
  if (scheme === "s3" || scheme === "s3a" || scheme === "s3n") return { kind: "s3", ...bucketAndKey("s3", rest, path) };
  if (scheme === "gs" || scheme === "gcs") return { kind: "gs", ...bucketAndKey("gs", rest, path) };
  if (scheme === "file") {
    try {
      return { kind: "local", path: fileURLToPath(path) };
    } catch (err) {
      throw new BadPathError(`${JSON.stringify(path.slice(0, 200))} is not a local file URL: ${(err as Error).message}`);
    }
  }
  if (scheme !== undefined) {
    throw new BadPathError(
      `${JSON.stringify(path.slice(0, 200))}: the scheme "${scheme}" is not served (s3://, gs:// or a local path)`,
    );
  }
  if (!isAbsolute(path)) throw new BadPathError(`${JSON.stringify(path.slice(0, 200))}: a local path must be absolute`);
  return { kind: "local", path };
}
