import { AgentError, StatusCode } from "@flyte-agent/core";

/** What one check of a sensor found: the thing exists, or not (yet), with a reason when one is known. */
export interface CheckResult {
  readonly exists: boolean;
  /** Why the answer is "not yet" when it is not simply missing (no permission, a transient error). */
  readonly message?: string;
}

/** Where a check runs: the call's signal and the time it may take. */
export interface CheckContext {
  readonly signal: AbortSignal;
  /** The check must end by then. */
  readonly deadline: Date;
}

/**
 * The agent's credentials were refused or are missing: a problem of the deployment. GetTask
 * answers with this status (propeller counts such answers and fails the task after a few),
 * never a phase.
 */
export function credentialsError(store: string, detail: string): AgentError {
  return new AgentError(StatusCode.FAILED_PRECONDITION, `${store} refused the agent's credentials: ${detail}`);
}

/**
 * Runs `work` with a signal that fires when the call's signal does or `deadline` passes; rejects
 * with {@link CheckTimeout} then (the work's requests are aborted through that signal), else
 * settles as the work does.
 */
export function bounded<T>(work: (signal: AbortSignal) => Promise<T>, ctx: CheckContext, what: string): Promise<T> {
  const giveUp = new AbortController();
  const signal = AbortSignal.any([ctx.signal, giveUp.signal]);
  return new Promise<T>((resolve, reject) => {
    const fail = (reason: string) => {
      cleanup();
      reject(new CheckTimeout(`${what}: ${reason}`));
      giveUp.abort(new CheckTimeout(`${what}: ${reason}`));
    };
    const timer = setTimeout(() => fail("no answer in time"), Math.max(0, ctx.deadline.getTime() - Date.now()));
    const onAbort = () => fail("the call was cancelled");
    const cleanup = () => {
      clearTimeout(timer);
      ctx.signal.removeEventListener("abort", onAbort);
    };
    if (ctx.signal.aborted) {
      onAbort();
      return;
    }
    ctx.signal.addEventListener("abort", onAbort, { once: true });
    work(signal).then(
      (v) => {
        cleanup();
        resolve(v);
      },
      (err: unknown) => {
        cleanup();
        reject(err);
      },
    );
  });
}

/** A check that did not finish in time (reported as "not yet", never a failure). */
export class CheckTimeout extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CheckTimeout";
  }
}
