/**
 * Bounds on text that came from a client. A status message, a log line or a metric label that
 * echoes a request value must stay small whatever the client sent: a 1 MiB task type echoed
 * into `grpc-message` makes a trailer larger than clients accept (grpc-js then waits for its
 * deadline instead of reading the status).
 * @module
 */

/** How many characters of a client-sent value an error message may quote. */
export const CLIENT_VALUE_PREFIX_CHARS = 200;

/** The longest status message the server sends (longer ones are cut, saying how long they were). */
export const MAX_STATUS_DETAILS_CHARS = 2048;

/** Cuts `text` to `max` UTF-16 units without splitting a surrogate pair. */
function cut(text: string, max: number): string {
  const end = max > 0 && /[\uD800-\uDBFF]/.test(text.charAt(max - 1)) ? max - 1 : max;
  return text.slice(0, end);
}

/**
 * A client-sent value as an error message may quote it: the value itself when it has at most
 * {@link CLIENT_VALUE_PREFIX_CHARS} characters, otherwise its first characters followed by
 * `… (<n> bytes)`, n being its UTF-8 length.
 */
export function clipClientValue(value: string, maxChars = CLIENT_VALUE_PREFIX_CHARS): string {
  if (value.length <= maxChars) return value;
  return `${cut(value, maxChars)}… (${Buffer.byteLength(value)} bytes)`;
}

/**
 * A status message bounded to {@link MAX_STATUS_DETAILS_CHARS}: the last line of defence for
 * messages that quote a value from a plugin or a backend at length.
 */
export function boundStatusDetails(details: string, maxChars = MAX_STATUS_DETAILS_CHARS): string {
  if (details.length <= maxChars) return details;
  return `${cut(details, maxChars)}… (message cut; ${details.length} characters)`;
}
