/**
 * A minimal protobuf wire walker: lists the top-level fields of one encoded message without
 * decoding their contents, so a request can be checked or split at a few fields while the rest
 * is decoded once by the generated code.
 */

/** One length-delimited (wire type 2) field of a message: its number and where its bytes lie. */
export interface WireField {
  /** The field number. */
  readonly field: number;
  /** Offset of the first byte of the field's contents. */
  readonly start: number;
  /** Offset just past the field's contents. */
  readonly end: number;
}

function varint(bytes: Uint8Array, at: number, end: number): [value: number, next: number] {
  let value = 0;
  let shift = 0;
  for (let i = at; i < end && shift < 70; i++) {
    const b = bytes[i]!;
    if (shift < 49) value += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if (b < 0x80) return [value, i + 1];
  }
  throw new RangeError("invalid varint");
}

/**
 * Calls `visit` for every length-delimited field of the message in `bytes[start, end)`, in wire
 * order; other wire types are skipped.
 *
 * @throws RangeError when the bytes are not a well-formed message (the generated decoder would reject them too)
 */
export function forEachLengthDelimited(bytes: Uint8Array, start: number, end: number, visit: (field: WireField) => void): void {
  let at = start;
  while (at < end) {
    const [tag, afterTag] = varint(bytes, at, end);
    const wireType = tag & 7;
    const field = Math.floor(tag / 8);
    if (field === 0) throw new RangeError("invalid field number 0");
    switch (wireType) {
      case 0:
        at = varint(bytes, afterTag, end)[1];
        break;
      case 1:
        at = afterTag + 8;
        break;
      case 5:
        at = afterTag + 4;
        break;
      case 2: {
        const [length, contents] = varint(bytes, afterTag, end);
        at = contents + length;
        if (at > end) throw new RangeError(`field ${field} runs past the end of the message`);
        visit({ field, start: contents, end: at });
        break;
      }
      default:
        throw new RangeError(`unsupported wire type ${wireType} in field ${field}`);
    }
    if (at > end) throw new RangeError(`field ${field} runs past the end of the message`);
  }
}
