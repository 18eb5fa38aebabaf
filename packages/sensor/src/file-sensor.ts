import { TaskInputError } from "@flyte-agent/core";
import type { CheckContext, CheckResult } from "./check-result";
import { BadPathError, type FileLocation, parseFilePath } from "./file-path";
import { GcsExists, type GcsSettings } from "./gcs-exists";
import { confinedPath, localExists } from "./local-exists";
import { S3Exists, type S3Settings } from "./s3-exists";
import type { SensorDefinition } from "./sensors";

/** Where the file sensor looks, and with which clients. */
export interface FileSensorSettings {
  readonly localRoot?: string;
  readonly s3: S3Settings;
  readonly gcs: GcsSettings;
}

function pathInput(inputs: { [name: string]: unknown }): string {
  const path = inputs.path;
  if (typeof path !== "string") {
    throw new TaskInputError(
      `FileSensor needs the input "path" as a string, got ${path === undefined ? "nothing" : typeof path}`,
    );
  }
  return path;
}

/**
 * flytekit's `flytekit.sensor.file_sensor.FileSensor`: `poke(path)` is true once the path exists
 * (`s3://`, `gs://`, or a local path under the agent's local root).
 */
export class FileSensorCheck implements SensorDefinition {
  readonly module = "flytekit.sensor.file_sensor";
  readonly name = "FileSensor";
  readonly inputs = ["path"] as const;
  private readonly s3: S3Exists;
  private readonly gcs: GcsExists;

  constructor(private readonly settings: FileSensorSettings) {
    this.s3 = new S3Exists(settings.s3);
    this.gcs = new GcsExists(settings.gcs);
  }

  /** Closes the storage clients' connections. */
  close(): void {
    this.s3.close();
  }

  async validate(inputs: { [name: string]: unknown }): Promise<{ [name: string]: unknown }> {
    const unknown = Object.keys(inputs).filter((k) => k !== "path");
    if (unknown.length > 0) throw new TaskInputError(`FileSensor takes only the input "path", not ${unknown.join(", ")}`);
    const path = pathInput(inputs);
    try {
      const location = parseFilePath(path);
      if (location.kind === "local") await confinedPath(this.settings.localRoot, location.path);
    } catch (err) {
      if (err instanceof BadPathError) throw new TaskInputError(`FileSensor path: ${err.message}`);
      throw err;
    }
    return { path };
  }

  async poke(inputs: { [name: string]: unknown }, ctx: CheckContext): Promise<CheckResult> {
    const path = pathInput(inputs);
    let location: FileLocation;
    try {
      location = parseFilePath(path);
    } catch (err) {
      if (err instanceof BadPathError) throw new TaskInputError(`FileSensor path: ${err.message}`);
      throw err;
    }
    switch (location.kind) {
      case "s3":
        return this.s3.check(location.bucket, location.key, ctx);
      case "gs":
        return this.gcs.check(location.bucket, location.key, ctx);
      case "local": {
        const real = await confinedPath(this.settings.localRoot, location.path).catch((err: unknown) => {
          if (err instanceof BadPathError) throw new TaskInputError(`FileSensor path: ${err.message}`);
          throw err;
        });
        return { exists: await localExists(real) };
      }
    }
  }
}
