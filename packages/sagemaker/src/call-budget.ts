import type { CallContext } from "@flyte-agent/core";

/** Time kept back from the gRPC deadline to answer in: a tenth of the time left, at most this. */
const MAX_RESERVE_MS = 1_000;

/** A signal for the AWS calls of one RPC, and what releases it. */
export interface CallBudget {
  /** Aborts shortly before the RPC's deadline, or when the RPC is cancelled. */
  readonly signal: AbortSignal;
  /** True once the budget ran out (as opposed to a cancelled RPC). */
  expired(): boolean;
  /** Releases the timer and the listener. */
  done(): void;
}

/**
 * The time the AWS SDK may spend on one RPC, retries included: until a little before the
 * call's deadline (so that the answer still arrives in time), or until the call is cancelled.
 * The SDK's retry loop stops waiting and retrying when this signal aborts.
 */
export function callBudget(ctx: CallContext): CallBudget {
  const controller = new AbortController();
  let expired = false;
  let timer: NodeJS.Timeout | undefined;
  const onAbort = () => controller.abort(ctx.signal.reason);
  if (ctx.signal.aborted) controller.abort(ctx.signal.reason);
  else ctx.signal.addEventListener("abort", onAbort, { once: true });
  if (ctx.deadline) {
    const left = ctx.deadline.getTime() - Date.now();
    const reserve = Math.min(MAX_RESERVE_MS, Math.max(0, left) / 10);
    timer = setTimeout(
      () => {
        expired = true;
        controller.abort(new Error("the call's deadline is near"));
      },
      Math.max(0, left - reserve),
    );
    timer.unref();
  }
  return {
    signal: controller.signal,
    expired: () => expired,
    done() {
      if (timer) clearTimeout(timer);
      ctx.signal.removeEventListener("abort", onAbort);
    },
  };
}
