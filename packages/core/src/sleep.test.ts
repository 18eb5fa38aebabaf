import { sleep } from "./sleep";

describe("sleep", () => {
  test("resolves after the time has passed", async () => {
    const started = performance.now();
    await sleep(30);
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
  });

  test("rejects with the signal's reason as soon as it aborts, without waiting out the time", async () => {
    const controller = new AbortController();
    const waiting = sleep(60_000, controller.signal);
    const reason = new Error("call cancelled");
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
  });

  test("rejects at once when the signal has fired already", async () => {
    const reason = new Error("gone");
    await expect(sleep(60_000, AbortSignal.abort(reason))).rejects.toBe(reason);
  });
});
