/**
 * Gives a new HTTP/2 session a {@link StreamIdTable} for its open streams in place of Node's
 * `Map`, so closed streams die young (see `stream-id-table.ts` for why a `Map` keeps them).
 *
 * Node keeps that `Map` in a private state object (`session[Symbol(state)].streams`), used
 * through `get`, `set`, `delete`, `size` and `forEach` in Node 20 and 22. The swap happens only
 * when the session looks exactly like that and has no stream yet; otherwise the session keeps
 * its `Map` and the caller is told, so a future Node changes speed, never behaviour.
 * @module
 */
import type { Http2Session } from "node:http2";
import { types } from "node:util";
import { StreamIdTable } from "./stream-id-table";

interface SessionState {
  streams?: unknown;
}

/** Node's private state object of a session, when it has the expected shape. */
function stateOf(session: Http2Session): SessionState | undefined {
  for (const key of Object.getOwnPropertySymbols(session)) {
    if (key.description !== "state") continue;
    const state = (session as unknown as Record<symbol, unknown>)[key];
    if (typeof state === "object" && state !== null && "streams" in state) return state as SessionState;
  }
  return undefined;
}

/**
 * Replaces the session's `Map` of open streams with a {@link StreamIdTable}.
 * @returns false when the session does not have the shape this was written for (nothing changed)
 */
export function useStreamIdTable(session: Http2Session): boolean {
  const state = stateOf(session);
  const streams = state?.streams;
  // Node's map is a primordials `SafeMap`, a Map that is not an instance of the global `Map`.
  if (state === undefined || !types.isMap(streams) || streams.size !== 0) return false;
  state.streams = new StreamIdTable();
  return true;
}
