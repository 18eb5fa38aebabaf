// Typed as the dynamic import below loads it: the package's ES module build.
import type { S3Client } from "@aws-sdk/client-s3" with { "resolution-mode": "import" };
import { observeAwsSdkClient } from "@flyte-agent/core";
import { bounded, type CheckContext, type CheckResult, CheckTimeout, credentialsError } from "./check-result";

/** Settings of the S3 client (created on first use). */
export interface S3Settings {
  readonly region: string;
  readonly forcePathStyle: boolean;
}

/** The service name of the S3 check's external API metrics (`flyte_agent_external_*{service="S3"}`). */
export const S3_METRICS_SERVICE = "S3";

type S3Module = typeof import("@aws-sdk/client-s3", { with: { "resolution-mode": "import" }});

/** S3 error codes that mean the agent's credentials are wrong, not that the object is missing. */
const CREDENTIAL_ERRORS = new Set([
  "InvalidAccessKeyId",
  "SignatureDoesNotMatch",
  "ExpiredToken",
  "InvalidToken",
  "TokenRefreshRequired",
  "CredentialsProviderError",
]);

interface ServiceError {
  name?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

function statusOf(err: unknown): number | undefined {
  return (err as ServiceError).$metadata?.httpStatusCode;
}

/**
 * Answers "does this S3 path exist?" as fsspec's `exists` does: an object with that key, or a
 * "directory" (objects under `key/`), or, for `s3://bucket`, the bucket. The AWS SDK v3 loads on
 * first use, with its default credential chain and endpoint settings (`AWS_ENDPOINT_URL_S3`).
 */
export class S3Exists {
  private client?: Promise<{ sdk: S3Module; client: S3Client }>;

  constructor(private readonly settings: S3Settings) {}

  private load(): Promise<{ sdk: S3Module; client: S3Client }> {
    this.client ??= import("@aws-sdk/client-s3").then((sdk) => {
      const client = new sdk.S3Client({
        region: this.settings.region,
        followRegionRedirects: true,
        forcePathStyle: this.settings.forcePathStyle,
      });
      // Every HTTP attempt, retry and request given up counts in core's external API metrics.
      observeAwsSdkClient(client, S3_METRICS_SERVICE);
      return { sdk, client };
    });
    return this.client;
  }

  /** Closes the client's connections. */
  close(): void {
    void this.client?.then(({ client }) => client.destroy());
  }

  /** Checks `s3://bucket/key`. Throws an AgentError for refused credentials; other trouble is "not yet" with a message. */
  async check(bucket: string, key: string, ctx: CheckContext): Promise<CheckResult> {
    const path = `s3://${bucket}/${key}`;
    try {
      return await bounded((signal) => this.checkNow(bucket, key, signal), ctx, `cannot tell yet whether ${path} exists`);
    } catch (err) {
      if (err instanceof CheckTimeout) return { exists: false, message: err.message };
      const e = err as ServiceError;
      if (CREDENTIAL_ERRORS.has(e.name ?? "")) throw credentialsError("S3", `${e.name}: ${e.message}`);
      if (e.name === "AccessDenied" || statusOf(err) === 403) {
        return {
          exists: false,
          message: `S3 denied access to ${path} (HTTP 403), which is what S3 answers for a missing key when the caller lacks s3:ListBucket: grant the agent s3:ListBucket on ${bucket} (and s3:GetObject) to tell the two apart`,
        };
      }
      if (e.name === "NoSuchBucket") return { exists: false, message: `the bucket ${bucket} does not exist` };
      return {
        exists: false,
        message: `cannot tell yet whether ${path} exists: ${e.name ?? "Error"}: ${e.message ?? String(err)}`,
      };
    }
  }

  private async checkNow(bucket: string, key: string, abortSignal: AbortSignal): Promise<CheckResult> {
    const { sdk, client } = await this.load();
    if (key === "") {
      await client.send(new sdk.ListObjectsV2Command({ Bucket: bucket, MaxKeys: 1 }), { abortSignal });
      return { exists: true };
    }
    let headDenied = false;
    if (!key.endsWith("/")) {
      try {
        await client.send(new sdk.HeadObjectCommand({ Bucket: bucket, Key: key }), { abortSignal });
        return { exists: true };
      } catch (err) {
        const status = statusOf(err);
        if (status === 403) headDenied = true;
        else if (status !== 404) throw err;
      }
    }
    const prefix = `${key.replace(/\/+$/, "")}/`;
    const dir = await client.send(new sdk.ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, MaxKeys: 1 }), {
      abortSignal,
    });
    if ((dir.KeyCount ?? dir.Contents?.length ?? 0) > 0) return { exists: true };
    if (headDenied) {
      // The agent may list but not read: the listing says whether the object itself is there.
      const same = await client.send(new sdk.ListObjectsV2Command({ Bucket: bucket, Prefix: key, MaxKeys: 1 }), {
        abortSignal,
      });
      if (same.Contents?.[0]?.Key === key) return { exists: true };
    }
    return { exists: false };
  }
}
