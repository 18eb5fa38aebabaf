/**
 * A table of HTTP/2 streams by stream id with the part of `Map`'s interface that Node's http2
 * session uses for its open streams (`get`, `set`, `has`, `delete`, `size`, `forEach`).
 *
 * Why not a `Map`: V8 grows, shrinks and compacts a `Map` by copying it into a new hash table
 * and leaves the old table pointing at the new one (for live iterators), with its entries in
 * place. A session's `Map` of streams is long-lived, so after a mark-compact its table sits in
 * the old generation; once a call replaces it, that dead table holds the streams it had and
 * points at the next table, which points at the next. The scavenger treats every pointer from
 * the old generation as live, so each scavenge copies every stream closed since the last one
 * and promotes it, until the next mark-compact. With the table below nothing old points at a
 * closed stream: a deleted slot is cleared, and the arrays a resize gives up are cleared too.
 * @module
 */

/** Open addressing with linear probing over two arrays; ids are positive integers (0 marks a free slot). */
export class StreamIdTable<V> {
  private ids: number[];
  private values: (V | undefined)[];
  private count = 0;

  /** @param capacity initial number of slots, a power of two */
  constructor(capacity = 16) {
    this.ids = new Array<number>(capacity).fill(0);
    this.values = new Array<V | undefined>(capacity).fill(undefined);
  }

  /** Number of streams in the table. */
  get size(): number {
    return this.count;
  }

  /** The stream with this id, if present. */
  get(id: number): V | undefined {
    const slot = this.slotOf(id);
    return this.ids[slot] === id ? this.values[slot] : undefined;
  }

  /** Whether a stream with this id is present. */
  has(id: number): boolean {
    return this.ids[this.slotOf(id)] === id;
  }

  /** Adds or replaces the stream with this id. */
  set(id: number, value: V): this {
    if (!Number.isInteger(id) || id <= 0) throw new RangeError(`stream ids are positive integers, not ${id}`);
    let slot = this.slotOf(id);
    if (this.ids[slot] !== id) {
      if ((this.count + 1) * 2 > this.ids.length) {
        this.resize(this.ids.length * 2);
        slot = this.slotOf(id);
      }
      this.ids[slot] = id;
      this.count++;
    }
    this.values[slot] = value;
    return this;
  }

  /** Removes the stream with this id; false when it was not there. */
  delete(id: number): boolean {
    let slot = this.slotOf(id);
    if (this.ids[slot] !== id) return false;
    this.clearSlot(slot);
    this.count--;
    // Backward-shift deletion: re-place the rest of the probe run so that no lookup stops early.
    const mask = this.ids.length - 1;
    for (slot = (slot + 1) & mask; this.ids[slot] !== 0; slot = (slot + 1) & mask) {
      const movedId = this.ids[slot] as number;
      const movedValue = this.values[slot];
      this.clearSlot(slot);
      const target = this.slotOf(movedId);
      this.ids[target] = movedId;
      this.values[target] = movedValue;
    }
    if (this.ids.length > 16 && this.count * 8 < this.ids.length) this.resize(this.ids.length / 2);
    return true;
  }

  /**
   * Calls `visit` for each stream, in id order (the order a session opened them). Like
   * `Map.prototype.forEach`, a stream removed by an earlier visit is not visited.
   */
  forEach(visit: (value: V, id: number, table: this) => void): void {
    const present: number[] = [];
    for (const id of this.ids) if (id !== 0) present.push(id);
    present.sort((a, b) => a - b);
    for (const id of present) {
      const slot = this.slotOf(id);
      if (this.ids[slot] === id) visit(this.values[slot] as V, id, this);
    }
  }

  private slotOf(id: number): number {
    const mask = this.ids.length - 1;
    // Client streams have odd ids that rise by two: halving spreads them over neighbouring slots.
    let slot = (id >>> 1) & mask;
    while (this.ids[slot] !== 0 && this.ids[slot] !== id) slot = (slot + 1) & mask;
    return slot;
  }

  private clearSlot(slot: number): void {
    this.ids[slot] = 0;
    this.values[slot] = undefined;
  }

  private resize(capacity: number): void {
    const oldIds = this.ids;
    const oldValues = this.values;
    this.ids = new Array<number>(capacity).fill(0);
    this.values = new Array<V | undefined>(capacity).fill(undefined);
    for (let slot = 0; slot < oldIds.length; slot++) {
      const id = oldIds[slot] as number;
      if (id === 0) continue;
      const target = this.slotOf(id);
      this.ids[target] = id;
      this.values[target] = oldValues[slot];
    }
    // The old arrays may already be in the old generation: leave them pointing at nothing.
    oldIds.fill(0);
    oldValues.fill(undefined);
  }
}
