import { redactSecrets } from "./secrets";

/** The longest text {@link describeErrorChain} returns by default, in characters. */
export const MAX_ERROR_TEXT = 500;

/** How many links of a `cause` chain are read at most (a cycle or a very deep chain stops here). */
const MAX_DEPTH = 8;

function firstLine(text: string): string {
  return (text.split("\n", 1)[0] ?? "").trim();
}

/** One link's own text: its message, else its `code` (Node system errors), else its name. */
function ownText(err: unknown): string {
  if (typeof err === "string") return firstLine(err);
  if (typeof err !== "object" || err === null) return err === undefined ? "" : String(err);
  const e = err as { message?: unknown; code?: unknown; name?: unknown };
  const message = typeof e.message === "string" ? firstLine(e.message) : "";
  if (message) return message;
  if (typeof e.code === "string" && e.code) return e.code;
  return typeof e.name === "string" && e.name !== "Error" ? e.name : "";
}

/** The errors an AggregateError (or anything shaped like one) holds. */
function aggregated(err: unknown): unknown[] {
  if (typeof err !== "object" || err === null) return [];
  const errors = (err as { errors?: unknown }).errors;
  return Array.isArray(errors) ? errors : [];
}

function causeOf(err: unknown): unknown {
  return typeof err === "object" && err !== null ? (err as { cause?: unknown }).cause : undefined;
}

/**
 * One line describing an error together with what caused it: the first line of its message,
 * then each link of its `cause` chain that adds something new, and the members of an
 * AggregateError (how Node reports a refused connection tried on several addresses). For
 * example `fetch failed: connect ECONNREFUSED 127.0.0.1:443`, where the error alone says only
 * `fetch failed`.
 *
 * Bounded to `maxLength` characters; every secret read through core's secret lookup is
 * redacted. Never includes a stack.
 */
export function describeErrorChain(err: unknown, maxLength = MAX_ERROR_TEXT): string {
  const parts: string[] = [];
  const seen = new Set<unknown>();
  const add = (text: string) => {
    if (!text) return;
    const sofar = parts.join(": ");
    if (!sofar.includes(text)) parts.push(text);
  };
  let link: unknown = err;
  for (let depth = 0; depth < MAX_DEPTH && link !== undefined && link !== null && !seen.has(link); depth++) {
    seen.add(link);
    const members = aggregated(link)
      .slice(0, 4)
      .map((m) => describeErrorChain(m, maxLength));
    if (members.length > 0) {
      // Node's AggregateError for a refused connection has an empty message: its members say it all.
      const message = (link as { message?: unknown }).message;
      if (typeof message === "string" && message.trim() !== "") add(firstLine(message));
      add(members.join(", "));
    } else add(ownText(link));
    link = causeOf(link);
  }
  // Redact before clipping, so a clip never leaves half a secret behind.
  const text = redactSecrets(parts.join(": ") || "unknown error");
  return text.length > maxLength ? `${text.slice(0, maxLength)}...` : text;
}
