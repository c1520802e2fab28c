/**
 * A fixed-size ring of time slots, each holding a few fixed-point numbers (Int16, so one reading
 * costs 2 bytes): slot = time index modulo capacity. Slots the writer skipped over read as empty,
 * so a board that went quiet shows a gap rather than its last value stretched out.
 */

/** An empty reading (and a slot nobody wrote). */
export const EMPTY = -32768;
const MAX = 32767;

export class SeriesRing {
  private readonly data: Int16Array;
  /** The newest time index written; -1 before the first write. */
  private head = -1;

  constructor(
    readonly capacity: number,
    readonly columns: number,
  ) {
    this.data = new Int16Array(capacity * columns).fill(EMPTY);
  }

  get newest(): number {
    return this.head;
  }

  /** Writes `values` (already scaled; rounded and clamped here) at time index `index`; older indexes than the head are refused. */
  write(index: number, values: ArrayLike<number>): boolean {
    if (index < this.head || index < 0) return false;
    if (index > this.head) this.clearAfterHead(index);
    const base = (index % this.capacity) * this.columns;
    for (let c = 0; c < this.columns; c++) this.data[base + c] = toFixed(values[c] ?? Number.NaN);
    this.head = index;
    return true;
  }

  /** The raw value of column `c` at time index `index`, or EMPTY when outside the ring or not written. */
  read(index: number, c: number): number {
    if (index > this.head || index <= this.head - this.capacity || index < 0) return EMPTY;
    return this.data[(index % this.capacity) * this.columns + c] ?? EMPTY;
  }

  /** Blanks the slots between the head and `index` (at most one lap), so skipped time reads empty. */
  private clearAfterHead(index: number): void {
    const from = this.head < 0 ? index : Math.max(this.head + 1, index - this.capacity + 1);
    for (let i = from; i < index; i++) this.data.fill(EMPTY, (i % this.capacity) * this.columns, (i % this.capacity + 1) * this.columns);
  }

  /** Bytes held by the ring's values. */
  get bytes(): number {
    return this.data.byteLength;
  }
}

function toFixed(v: number): number {
  if (!Number.isFinite(v)) return EMPTY;
  return Math.max(-MAX, Math.min(MAX, Math.round(v)));
}
