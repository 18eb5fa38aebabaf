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

/**
 * Walks the length-delimited (wire type 2) fields of the message in `bytes[start, end)`, in wire
 * order, skipping fields of other wire types; one object per walk, nothing allocated per field.
 * After {@link WireCursor.next} returns true, `field`, `start` and `end` describe the field.
 */
export class WireCursor implements WireField {
  /** The current field's number. */
  field = 0;
  /** Offset of the current field's first content byte. */
  start = 0;
  /** Offset just past the current field's contents. */
  end = 0;
  private at: number;
  private afterVarint = 0;

  constructor(
    private readonly bytes: Uint8Array,
    from: number,
    private readonly limit: number,
  ) {
    this.at = from;
  }

  /**
   * Moves to the next length-delimited field.
   *
   * @returns false at the end of the message
   * @throws RangeError when the bytes are not a well-formed message (the generated decoder would reject them too)
   */
  next(): boolean {
    const { limit } = this;
    while (this.at < limit) {
      const tag = this.varint(this.at);
      const wireType = tag & 7;
      const field = Math.floor(tag / 8);
      if (field === 0) throw new RangeError("invalid field number 0");
      let at: number;
      switch (wireType) {
        case 0:
          this.varint(this.afterVarint);
          at = this.afterVarint;
          break;
        case 1:
          at = this.afterVarint + 8;
          break;
        case 5:
          at = this.afterVarint + 4;
          break;
        case 2: {
          const length = this.varint(this.afterVarint);
          at = this.afterVarint + length;
          break;
        }
        default:
          throw new RangeError(`unsupported wire type ${wireType} in field ${field}`);
      }
      if (at > limit) throw new RangeError(`field ${field} runs past the end of the message`);
      const contents = this.afterVarint;
      this.at = at;
      if (wireType === 2) {
        this.field = field;
        this.start = contents;
        this.end = at;
        return true;
      }
    }
    return false;
  }

  /** Reads the varint at `at`; sets `afterVarint` to the offset after it. */
  private varint(at: number): number {
    const { bytes, limit } = this;
    let value = 0;
    let shift = 0;
    for (let i = at; i < limit && shift < 70; i++) {
      const b = bytes[i]!;
      if (shift < 49) value += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if (b < 0x80) {
        this.afterVarint = i + 1;
        return value;
      }
    }
    throw new RangeError("invalid varint");
  }
}

/**
 * Calls `visit` for every length-delimited field of the message in `bytes[start, end)`, in wire
 * order; other wire types are skipped.
 *
 * @throws RangeError when the bytes are not a well-formed message (the generated decoder would reject them too)
 */
export function forEachLengthDelimited(bytes: Uint8Array, start: number, end: number, visit: (field: WireField) => void): void {
  const cursor = new WireCursor(bytes, start, end);
  while (cursor.next()) visit({ field: cursor.field, start: cursor.start, end: cursor.end });
}
