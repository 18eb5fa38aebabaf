import { retryPolicy } from "./retry";
import { type HttpAnswer, type HttpAttempt, retryHttp } from "./retry-http";

interface Answer extends HttpAnswer {
  readonly body: string;
}

const fast = retryPolicy({ maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2, maxRetryAfterMs: 1_000 });
const describe = (a: Answer) => `HTTP ${a.status}: ${a.body}`;

/** A send that answers the given attempts in turn and records each attempt number. */
function script(...attempts: HttpAttempt<Answer>[]) {
  const seen: number[] = [];
  const send = async ({ attempt }: { attempt: number }) => {
    seen.push(attempt);
    const next = attempts[attempt - 1];
    if (!next) throw new Error(`no attempt ${attempt} scripted`);
    return next;
  };
  return { send, seen };
}

const answer = (status: number, body = "", headers: Record<string, string> = {}): Answer => ({ status, headers, body });

test("an answer other than 429 or 5xx is returned at once, 4xx included", async () => {
  const { send, seen } = script(answer(404, "no such run"));
  expect(await retryHttp(send, { service: "Svc", describe, policy: fast })).toEqual({
    kind: "answer",
    answer: answer(404, "no such run"),
  });
  expect(seen).toEqual([1]);
});

test("network failures, 5xx and 429 are tried again until an answer, reporting each retry", async () => {
  const { send, seen } = script({ networkError: "ECONNRESET" }, answer(503, "busy"), answer(200, "ok"));
  const reasons: string[] = [];
  const outcome = await retryHttp(send, {
    service: "Svc",
    describe,
    policy: fast,
    onRetry: ({ reason }) => reasons.push(reason),
  });
  expect(outcome).toEqual({ kind: "answer", answer: answer(200, "ok") });
  expect(seen).toEqual([1, 2, 3]);
  expect(reasons).toEqual(["ECONNRESET", "Svc answered HTTP 503: busy"]);
});

test("a 429's Retry-After is waited for", async () => {
  const { send } = script(answer(429, "", { "retry-after": "0.2" }), answer(200, "ok"));
  const waits: number[] = [];
  await retryHttp(send, { service: "Svc", describe, policy: fast, onRetry: ({ waitMs }) => waits.push(waitMs) });
  expect(waits).toEqual([200]);
});

test("when the attempts run out the outcome is unavailable, saying what failed last", async () => {
  const { send } = script(answer(500, "a"), answer(502, "b"), answer(503, "c"));
  expect(await retryHttp(send, { service: "Svc", describe, policy: fast })).toEqual({
    kind: "unavailable",
    message: "Svc answered HTTP 503: c (after 3 attempts)",
    attempts: 3,
  });
});

test("a Retry-After beyond maxRetryAfterMs ends the call at once", async () => {
  const { send, seen } = script(answer(429, "", { "retry-after": "30" }));
  expect(await retryHttp(send, { service: "Svc", describe, policy: fast })).toEqual({
    kind: "unavailable",
    message: "rate limited by Svc (HTTP 429, retry after 30 s) (after 1 attempt)",
    attempts: 1,
  });
  expect(seen).toEqual([1]);
});

test("an error thrown by send (an aborted call) is rethrown, not turned into an outcome", async () => {
  const controller = new AbortController();
  const reason = new Error("cancelled by the caller");
  const send = async (): Promise<HttpAttempt<Answer>> => {
    controller.abort(reason);
    throw reason;
  };
  await expect(retryHttp(send, { service: "Svc", describe, policy: fast, signal: controller.signal })).rejects.toBe(reason);
});
