// Typed as the dynamic import below loads it: the package's ES module build.
import type { Storage } from "@google-cloud/storage" with { "resolution-mode": "import" };
import { bounded, type CheckContext, type CheckResult, CheckTimeout, credentialsError } from "./check-result";
import { observeGcsCall } from "./gcs-metrics";

/** Settings of the Cloud Storage client (created on first use). */
export interface GcsSettings {
  /** A custom API endpoint, called with the agent's credentials. */
  readonly endpoint?: string;
}

interface ApiError {
  code?: number | string;
  message?: string;
}

/**
 * Answers "does this Cloud Storage path exist?" as gcsfs's `exists` does: an object with that
 * name, or a "directory" (objects under `name/`), or, for `gs://bucket`, the bucket. The Google
 * client loads on first use, with Application Default Credentials.
 */
export class GcsExists {
  private storage?: Promise<Storage>;

  constructor(private readonly settings: GcsSettings) {}

  private load(): Promise<Storage> {
    this.storage ??= import("@google-cloud/storage").then(
      ({ Storage }) =>
        new Storage({
          ...(this.settings.endpoint ? { apiEndpoint: this.settings.endpoint, useAuthWithCustomEndpoint: true } : {}),
          retryOptions: { autoRetry: true, maxRetries: 2, totalTimeout: 20 },
        }),
    );
    return this.storage;
  }

  /** Checks `gs://bucket/name`. Throws an AgentError for refused credentials; other trouble is "not yet" with a message. */
  async check(bucket: string, name: string, ctx: CheckContext): Promise<CheckResult> {
    const path = `gs://${bucket}/${name}`;
    try {
      return await bounded(() => this.checkNow(bucket, name), ctx, `cannot tell yet whether ${path} exists`);
    } catch (err) {
      if (err instanceof CheckTimeout) return { exists: false, message: err.message };
      const e = err as ApiError;
      if (e.code === 401) throw credentialsError("Cloud Storage", e.message ?? "HTTP 401");
      if (e.code === 403) {
        return {
          exists: false,
          message: `Cloud Storage denied access to ${path} (HTTP 403): grant the agent storage.objects.get and storage.objects.list on ${bucket} (${e.message ?? ""})`,
        };
      }
      if (e.code === 404) return { exists: false, message: `the bucket ${bucket} does not exist` };
      const detail = e.message ?? String(err);
      if (/credential|authenticat/i.test(detail) && e.code === undefined) throw credentialsError("Cloud Storage", detail);
      return { exists: false, message: `cannot tell yet whether ${path} exists: ${detail}` };
    }
  }

  private async checkNow(bucket: string, name: string): Promise<CheckResult> {
    const storage = await this.load();
    const b = storage.bucket(bucket);
    // Each call is counted in core's external API metrics (`exists` answering false is Google's 404).
    const found = ([exists]: [boolean]) => (exists ? 200 : 404);
    if (name === "") {
      const [exists] = await observeGcsCall(() => b.exists(), found);
      return exists ? { exists: true } : { exists: false, message: `the bucket ${bucket} does not exist` };
    }
    if (!name.endsWith("/")) {
      const [exists] = await observeGcsCall(() => b.file(name).exists(), found);
      if (exists) return { exists: true };
    }
    const prefix = `${name.replace(/\/+$/, "")}/`;
    const [files] = await observeGcsCall(
      () => b.getFiles({ prefix, maxResults: 1, autoPaginate: false }),
      () => 200,
    );
    return { exists: files.length > 0 };
  }
}
