import { observeExternalCall, observeExternalFailure } from "@flyte-agent/core";

/** The service name of the Cloud Storage check's external API metrics (`flyte_agent_external_*{service="GCS"}`). */
export const GCS_METRICS_SERVICE = "GCS";

/**
 * Runs one call of the Google client and counts it in core's external API metrics: its final
 * HTTP status (`statusOf` the result on success; the error's `code` on failure, `network_error`
 * when it has none) and its time, and a failure that is 429, 5xx or no answer as a request given
 * up. The client retries inside the call and has no public hook on each answer, so the call is
 * counted once, by how it ended, and its retries are not counted.
 */
export async function observeGcsCall<T>(call: () => Promise<T>, statusOf: (result: T) => number): Promise<T> {
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  try {
    const result = await call();
    observeExternalCall(GCS_METRICS_SERVICE, { status: statusOf(result), seconds: seconds() });
    return result;
  } catch (err) {
    const code = (err as { code?: unknown } | null)?.code;
    const status = typeof code === "number" ? code : undefined;
    observeExternalCall(GCS_METRICS_SERVICE, { status, seconds: seconds() });
    if (status === undefined || status === 429 || status >= 500) observeExternalFailure(GCS_METRICS_SERVICE);
    throw err;
  }
}
