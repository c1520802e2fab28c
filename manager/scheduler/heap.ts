/**
 * A binary min-heap whose items remember their position, so one item whose key changed can be
 * re-sifted or removed in O(log n). An item belongs to at most one heap at a time.
 */
export interface HeapItem {
  heapIndex: number;
}

export class IndexedHeap<T extends HeapItem> {
  private readonly items: T[];

  /** Builds the heap from `items` in O(n). */
  constructor(
    items: T[],
    private readonly less: (a: T, b: T) => boolean,
  ) {
    this.items = items;
    items.forEach((item, index) => (item.heapIndex = index));
    for (let i = (items.length >> 1) - 1; i >= 0; i--) this.siftDown(i);
  }

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  /** Restores the order after `item`'s key changed in either direction. */
  update(item: T): void {
    if (!this.siftUp(item.heapIndex)) this.siftDown(item.heapIndex);
  }

  remove(item: T): void {
    const index = item.heapIndex;
    const last = this.items.pop() as T;
    item.heapIndex = -1;
    if (last === item) return;
    this.items[index] = last;
    last.heapIndex = index;
    this.update(last);
  }

  private siftUp(start: number): boolean {
    const item = this.items[start] as T;
    let index = start;
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = this.items[parentIndex] as T;
      if (!this.less(item, parent)) break;
      this.place(parent, index);
      index = parentIndex;
    }
    this.place(item, index);
    return index !== start;
  }

  private siftDown(start: number): void {
    const item = this.items[start] as T;
    const count = this.items.length;
    let index = start;
    for (;;) {
      let child = 2 * index + 1;
      if (child >= count) break;
      const right = child + 1;
      if (right < count && this.less(this.items[right] as T, this.items[child] as T)) child = right;
      const smaller = this.items[child] as T;
      if (!this.less(smaller, item)) break;
      this.place(smaller, index);
      index = child;
    }
    this.place(item, index);
  }

  private place(item: T, index: number): void {
    this.items[index] = item;
    item.heapIndex = index;
  }
}
