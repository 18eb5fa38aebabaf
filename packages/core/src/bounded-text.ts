/**
 * Bounds on text that came from a client. A status message, a log line or a metric label that
 * echoes a request value must stay small whatever the client sent: a 1 MiB task type echoed
 * into `grpc-message` makes a trailer larger than clients accept (grpc-js then waits for its
 * deadline instead of reading the status).
 * @module
 */

/** How many characters of a client-sent value an error message may quote. */
export const CLIENT_VALUE_PREFIX_CHARS = 200;

/**
 * The largest status message the server sends, in UTF-8 bytes. grpc-js percent-encodes every
 * byte outside printable ASCII into three, so the `grpc-message` trailer stays under 6 KiB:
 * below the 8 KiB that gRPC's C-core and Java clients accept for trailers by default.
 */
export const MAX_STATUS_DETAILS_BYTES = 2048;

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
 * A status message bounded to {@link MAX_STATUS_DETAILS_BYTES} of UTF-8: the last line of
 * defence for messages that quote a value from a plugin or a backend at length.
 */
export function boundStatusDetails(details: string, maxBytes = MAX_STATUS_DETAILS_BYTES): string {
  // Each UTF-16 unit is at most 3 UTF-8 bytes: short messages need no counting.
  if (details.length * 3 <= maxBytes) return details;
  const bytes = Buffer.from(details, "utf8");
  if (bytes.length <= maxBytes) return details;
  const suffix = `… (message cut; ${bytes.length} bytes)`;
  let head = bytes.subarray(0, maxBytes - Buffer.byteLength(suffix)).toString("utf8");
  // A character cut in two decodes as U+FFFD: drop it.
  if (head.endsWith("\uFFFD")) head = head.slice(0, -1);
  return `${head}${suffix}`;
}
