import { backoffDelay, parseRetryAfter, RetriesExhausted, retry, retryPolicy, type RetryVerdict } from "./retry";

const fast = retryPolicy({ maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 4, maxRetryAfterMs: 50 });
const always = (): RetryVerdict => ({ retry: true });

/** A call that fails `failures` times with the given errors, then answers "ok". */
function flaky(...failures: unknown[]) {
  const calls: number[] = [];
  const call = async ({ attempt }: { attempt: number }) => {
    calls.push(attempt);
    if (attempt <= failures.length) throw failures[attempt - 1];
    return "ok";
  };
  return { call, calls };
}

describe("retryPolicy", () => {
  test("fills in the plugin's defaults and keeps what the user set", () => {
    const defaults = { maxAttempts: 4, baseDelayMs: 200, maxDelayMs: 2000, maxRetryAfterMs: 5000 };
    expect(retryPolicy({ baseDelayMs: 5 }, defaults)).toEqual({ ...defaults, baseDelayMs: 5 });
  });

  test("refuses nonsense naming the option", () => {
    expect(() => retryPolicy({ maxAttempts: 0 })).toThrow("retry.maxAttempts must be a whole number >= 1, got 0");
    expect(() => retryPolicy({ maxAttempts: 1.5 })).toThrow(RangeError);
    expect(() => retryPolicy({ maxDelayMs: -1 })).toThrow("retry.maxDelayMs must be a number >= 0, got -1");
    expect(() => retryPolicy({ baseDelayMs: Number.NaN })).toThrow("retry.baseDelayMs");
  });
});

describe("backoffDelay", () => {
  const policy = retryPolicy({ baseDelayMs: 100, maxDelayMs: 1000 });
  test("doubles per attempt up to the bound, jittered within the upper half", () => {
    expect([1, 2, 3, 4, 5, 6].map((a) => backoffDelay(policy, a, () => 0.999999))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect([1, 2, 3, 4, 5].map((a) => backoffDelay(policy, a, () => 0))).toEqual([50, 100, 200, 400, 500]);
    for (let i = 0; i < 100; i++) {
      const d = backoffDelay(policy, 3);
      expect(d).toBeGreaterThanOrEqual(200);
      expect(d).toBeLessThanOrEqual(400);
    }
  });
});

describe("parseRetryAfter", () => {
  test("reads seconds and HTTP dates; ignores what it cannot read", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(parseRetryAfter("3", now)).toBe(3000);
    expect(parseRetryAfter(" 1.5 ", now)).toBe(1500);
    expect(parseRetryAfter("Thu, 01 Jan 2026 00:00:10 GMT", now)).toBe(10_000);
    expect(parseRetryAfter("Wed, 31 Dec 2025 23:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});

describe("retry", () => {
  test("tries again after retryable failures and returns the first success", async () => {
    const { call, calls } = flaky(new Error("503"), new Error("503"));
    await expect(retry(call, { policy: fast, shouldRetry: always })).resolves.toBe("ok");
    expect(calls).toEqual([1, 2, 3]);
  });

  test("rethrows a failure shouldRetry rejects, without another attempt", async () => {
    const fatal = new Error("400 bad request");
    const { call, calls } = flaky(fatal);
    await expect(retry(call, { policy: fast, shouldRetry: () => ({ retry: false }) })).rejects.toBe(fatal);
    expect(calls).toEqual([1]);
  });

  test("stops after maxAttempts with the last failure and the count", async () => {
    const { call, calls } = flaky(new Error("a"), new Error("b"), new Error("c"), new Error("d"), new Error("e"));
    const err = await retry(call, { policy: fast, shouldRetry: always }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetriesExhausted);
    expect(err).toMatchObject({ attempts: 4, reason: "attempts", message: "d (after 4 attempts)" });
    expect((err as RetriesExhausted).last).toEqual(new Error("d"));
    expect(calls).toEqual([1, 2, 3, 4]);
  });

  test("waits what Retry-After says, and gives up at once when that is longer than maxRetryAfterMs", async () => {
    const waits: number[] = [];
    const { call } = flaky(new Error("429"));
    await retry(call, {
      policy: fast,
      shouldRetry: () => ({ retry: true, retryAfterMs: 40 }),
      onRetry: ({ waitMs }) => waits.push(waitMs),
    });
    expect(waits).toEqual([40]);

    const limited = flaky(new Error("429 for 10 minutes"));
    const err = await retry(limited.call, { policy: fast, shouldRetry: () => ({ retry: true, retryAfterMs: 600_000 }) }).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ attempts: 1, reason: "retry-after" });
    expect(limited.calls).toEqual([1]);
  });

  test("starts no wait that would end past the deadline minus the margin, and tells attempts the time left", async () => {
    const remaining: number[] = [];
    const deadline = new Date(Date.now() + 5_000);
    const err = await retry(
      async ({ remainingMs }) => {
        remaining.push(remainingMs);
        throw new Error("503");
      },
      {
        policy: retryPolicy({ maxAttempts: 10, baseDelayMs: 10_000, maxDelayMs: 10_000 }),
        shouldRetry: always,
        deadline,
        marginMs: 1_000,
      },
    ).catch((e: unknown) => e);
    expect(err).toMatchObject({ attempts: 1, reason: "deadline" });
    expect(remaining).toHaveLength(1);
    expect(remaining[0]).toBeGreaterThan(3_000);
    expect(remaining[0]).toBeLessThanOrEqual(4_000);
  });

  test("makes no attempt when the deadline has passed", async () => {
    const { call, calls } = flaky();
    const err = await retry(call, { policy: fast, shouldRetry: always, deadline: new Date(Date.now() - 1) }).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({
      attempts: 0,
      reason: "deadline",
      message: "no attempt fit before the deadline (after 0 attempts)",
    });
    expect(calls).toEqual([]);
  });

  test("an abort during the wait ends the loop with the signal's reason", async () => {
    const controller = new AbortController();
    const reason = new Error("RPC cancelled");
    const pending = retry(
      async () => {
        throw new Error("503");
      },
      {
        policy: retryPolicy({ maxAttempts: 5, baseDelayMs: 60_000, maxDelayMs: 60_000 }),
        shouldRetry: always,
        signal: controller.signal,
        onRetry: () => controller.abort(reason),
      },
    );
    await expect(pending).rejects.toBe(reason);
  });
});
