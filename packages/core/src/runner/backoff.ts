import { sleep as abortableSleep } from "../sleep";

/** How the wait between two polls grows. */
export interface BackoffOptions {
  /** First wait, in milliseconds. */
  initialMs: number;
  /** Longest wait, in milliseconds. */
  maxMs: number;
  /** Growth per poll without a phase change. @default 1.5 */
  factor?: number;
}

/**
 * Poll intervals: starts at `initialMs`, grows by `factor` up to `maxMs` while nothing changes,
 * and starts over when the phase changes (the task is moving, so look again soon).
 */
export class PollBackoff {
  private current: number;

  constructor(private readonly options: BackoffOptions) {
    this.current = options.initialMs;
  }

  /** The wait before the next poll. */
  next(phaseChanged: boolean): number {
    if (phaseChanged) this.current = this.options.initialMs;
    const wait = Math.min(this.current, this.options.maxMs);
    this.current = Math.min(this.current * (this.options.factor ?? 1.5), this.options.maxMs);
    return wait;
  }
}

/** Waits `ms`, or less when the signal fires (resolves either way). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return abortableSleep(ms, signal).catch(() => undefined);
}
