/** Why a run was stopped from outside. */
export type StopReason = "timeout" | "aborted";

/**
 * One signal for "stop this run": fires when the caller's signal aborts or when the timeout
 * passes, and remembers which came first.
 */
export class RunStop {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private readonly onAbort = () => this.stop("aborted");
  /** Set once the run is stopped. */
  reason: StopReason | undefined;

  constructor(
    /** The run's time limit in milliseconds, if any. */
    readonly timeoutMs: number | undefined,
    private readonly external?: AbortSignal,
    /** Start the time limit now; otherwise at {@link startTimer}. @default true */
    startNow = true,
  ) {
    if (startNow) this.startTimer();
    if (external?.aborted) this.stop("aborted");
    else external?.addEventListener("abort", this.onAbort, { once: true });
  }

  /** Starts the time limit (once; later calls do nothing). */
  startTimer(): void {
    if (this.timer || this.timeoutMs === undefined || this.stopped) return;
    this.timer = setTimeout(() => this.stop("timeout"), this.timeoutMs);
  }

  /** True once the time limit runs. */
  get timerStarted(): boolean {
    return this.timer !== undefined;
  }

  /** Fires when the run must stop. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** True once stopped. */
  get stopped(): boolean {
    return this.controller.signal.aborted;
  }

  private stop(reason: StopReason): void {
    if (this.reason) return;
    this.reason = reason;
    this.controller.abort(new Error(reason));
  }

  /** Releases the timer and the listener on the caller's signal. */
  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.external?.removeEventListener("abort", this.onAbort);
  }
}
